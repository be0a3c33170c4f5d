package wire

import (
	"sync"
	"time"
)

// Batching defaults: a batch is sent when it holds DefaultBatchSize moves or
// DefaultBatchDelay after its first move, whichever comes first.
const (
	DefaultBatchSize  = 16
	DefaultBatchDelay = 16 * time.Millisecond
)

// BatchOptions says when a Batcher sends. The zero value is the default
// (16 moves or 16 ms).
type BatchOptions struct {
	// Size is the most moves in one batch (0: DefaultBatchSize; 1: no
	// batching, every move is sent at once).
	Size int
	// Delay is how long the first move of a batch may wait for others
	// (0: DefaultBatchDelay; negative: no waiting, send what is there at
	// each Add).
	Delay time.Duration
}

// Off reports whether these options disable batching.
func (o BatchOptions) Off() bool { return o.Size == 1 }

func (o BatchOptions) size() int {
	switch {
	case o.Size <= 0:
		return DefaultBatchSize
	case o.Size > MaxMovesPerMessage:
		return MaxMovesPerMessage
	}
	return o.Size
}

func (o BatchOptions) delay() time.Duration {
	if o.Delay == 0 {
		return DefaultBatchDelay
	}
	return o.Delay
}

// Batcher groups moves into batches and hands each batch to its flush
// function, in order, from one goroutine at a time. It is safe for
// concurrent use; flush must not call the Batcher.
type Batcher struct {
	opts  BatchOptions
	flush func([]Move)

	mu      sync.Mutex
	pending []Move
	timer   *time.Timer
	gen     uint64 // bumped at every flush, so a stale timer does nothing
	stopped bool
}

// NewBatcher returns a Batcher that calls flush with each batch. The slice
// passed to flush is only valid during the call.
func NewBatcher(o BatchOptions, flush func([]Move)) *Batcher {
	return &Batcher{opts: o, flush: flush, pending: make([]Move, 0, o.size())}
}

// Add queues moves, sending every full batch at once; the rest waits at most
// the batch delay.
func (b *Batcher) Add(moves ...Move) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	n := b.opts.size()
	if b.opts.Off() {
		n = 1
	}
	for _, m := range moves {
		b.pending = append(b.pending, m)
		if len(b.pending) >= n {
			b.flushLocked()
		}
	}
	if len(b.pending) == 0 {
		return
	}
	if b.opts.Delay < 0 {
		b.flushLocked()
		return
	}
	if b.timer == nil {
		gen := b.gen
		b.timer = time.AfterFunc(b.opts.delay(), func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.gen == gen && !b.stopped {
				b.flushLocked()
			}
		})
	}
}

// Flush sends whatever is pending now.
func (b *Batcher) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stopped {
		b.flushLocked()
	}
}

// Stop sends what is pending and stops the batcher; later Adds are ignored.
func (b *Batcher) Stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stopped {
		b.flushLocked()
		b.stopped = true
	}
}

func (b *Batcher) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.gen++
	if len(b.pending) == 0 {
		return
	}
	b.flush(b.pending)
	b.pending = b.pending[:0]
}
