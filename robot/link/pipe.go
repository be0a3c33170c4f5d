package link

import (
	"fmt"
	"sync"
	"time"
)

// pipeBuf is one direction of an in-process pipe: unbounded, so that a
// writer never blocks (as a serial port's kernel buffers would not, for the
// few bytes a robot sends).
type pipeBuf struct {
	mu     sync.Mutex
	data   []byte
	closed bool
	notify chan struct{}
}

func newPipeBuf() *pipeBuf { return &pipeBuf{notify: make(chan struct{}, 1)} }

func (b *pipeBuf) wake() {
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

func (b *pipeBuf) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.wake()
}

// pipeEnd is one end of an in-process duplex pipe.
type pipeEnd struct {
	name    string // for errors: "virtual mBot" or "host"
	in, out *pipeBuf
	self    *pipeBuf // own closed flag lives in its own buffer

	mu      sync.Mutex
	timeout time.Duration
	board   Board // the host's end: what the handshake learnt
}

// newPipe returns two connected ends: what one writes the other reads.
func newPipe(nameA, nameB string) (a, b *pipeEnd) {
	ab, ba := newPipeBuf(), newPipeBuf()
	a = &pipeEnd{name: nameA, in: ba, out: ab, self: newPipeBuf()}
	b = &pipeEnd{name: nameB, in: ab, out: ba, self: newPipeBuf()}
	return a, b
}

func (e *pipeEnd) isClosed() bool {
	e.self.mu.Lock()
	defer e.self.mu.Unlock()
	return e.self.closed
}

func (e *pipeEnd) Read(p []byte) (int, error) {
	e.mu.Lock()
	timeout := e.timeout
	e.mu.Unlock()
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		if e.isClosed() {
			return 0, fmt.Errorf("%s: %w", e.name, ErrClosed)
		}
		e.in.mu.Lock()
		if len(e.in.data) > 0 {
			n := copy(p, e.in.data)
			e.in.data = e.in.data[n:]
			more := len(e.in.data) > 0
			e.in.mu.Unlock()
			if more {
				e.in.wake()
			}
			return n, nil
		}
		closed := e.in.closed
		e.in.mu.Unlock()
		if closed {
			return 0, fmt.Errorf("%s: %w (the other end hung up)", e.name, ErrLost)
		}
		select {
		case <-e.in.notify:
		case <-e.self.notify:
		case <-deadline:
			return 0, fmt.Errorf("%s: %w", e.name, ErrTimeout)
		}
	}
}

func (e *pipeEnd) Write(p []byte) (int, error) {
	if e.isClosed() {
		return 0, fmt.Errorf("%s: %w", e.name, ErrClosed)
	}
	e.out.mu.Lock()
	if e.out.closed {
		e.out.mu.Unlock()
		return 0, fmt.Errorf("%s: %w (the other end hung up)", e.name, ErrLost)
	}
	e.out.data = append(e.out.data, p...)
	e.out.mu.Unlock()
	e.out.wake()
	return len(p), nil
}

func (e *pipeEnd) SetReadTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s: negative read timeout %v", e.name, d)
	}
	e.mu.Lock()
	e.timeout = d
	e.mu.Unlock()
	return nil
}

// Close closes both directions: the other end's reads drain what is
// buffered and then fail with ErrLost.
func (e *pipeEnd) Close() error {
	e.self.close()
	e.in.close()
	e.out.close()
	return nil
}

// Board returns what the board told when the link was opened (the host's
// end of a virtual mBot's link).
func (e *pipeEnd) Board() Board { return e.board }

// unread puts p back at the head of what this end has to read.
func (e *pipeEnd) unread(p []byte) {
	if len(p) == 0 {
		return
	}
	e.in.mu.Lock()
	e.in.data = append(append([]byte(nil), p...), e.in.data...)
	e.in.mu.Unlock()
	e.in.wake()
}
