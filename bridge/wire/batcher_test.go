package wire

import (
	"sync"
	"testing"
	"time"
)

type batches struct {
	mu  sync.Mutex
	got [][]Move
	at  []time.Time
}

func (b *batches) flush(ms []Move) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, append([]Move(nil), ms...))
	b.at = append(b.at, time.Now())
}

func (b *batches) sizes() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s []int
	for _, g := range b.got {
		s = append(s, len(g))
	}
	return s
}

func drives(n int) []Move {
	out := make([]Move, n)
	for i := range out {
		out[i] = Move{Kind: Drive, Value: float32(i)}
	}
	return out
}

func TestBatcherFlushesFullBatchesAtOnce(t *testing.T) {
	var b batches
	bt := NewBatcher(BatchOptions{Size: 10, Delay: time.Hour}, b.flush)
	bt.Add(drives(25)...)
	if got := b.sizes(); len(got) != 2 || got[0] != 10 || got[1] != 10 {
		t.Fatalf("batches %v, want two of 10 at once", got)
	}
	bt.Stop()
	if got := b.sizes(); len(got) != 3 || got[2] != 5 {
		t.Fatalf("batches %v, want the last 5 at Stop", got)
	}
	// Order is kept across batches.
	i := 0
	for _, g := range b.got {
		for _, m := range g {
			if m.Value != float32(i) {
				t.Fatalf("move %d came as %v", i, m.Value)
			}
			i++
		}
	}
	bt.Add(drives(3)...)
	if len(b.sizes()) != 3 {
		t.Error("Add after Stop sent something")
	}
}

func TestBatcherFlushesAfterDelay(t *testing.T) {
	var b batches
	bt := NewBatcher(BatchOptions{Size: 16, Delay: 20 * time.Millisecond}, b.flush)
	bt.Add(drives(3)...)
	if len(b.sizes()) != 0 {
		t.Fatal("a partial batch went out before the delay")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(b.sizes()) == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if got := b.sizes(); len(got) != 1 || got[0] != 3 {
		t.Fatalf("batches %v, want one of 3 after the delay", got)
	}
	bt.Stop()
}

func TestBatcherOff(t *testing.T) {
	var b batches
	bt := NewBatcher(BatchOptions{Size: 1}, b.flush)
	bt.Add(drives(4)...)
	if got := b.sizes(); len(got) != 4 {
		t.Fatalf("batches %v, want every move alone at once", got)
	}
	var c batches
	bt = NewBatcher(BatchOptions{Size: 16, Delay: -1}, c.flush)
	bt.Add(drives(20)...)
	if got := c.sizes(); len(got) != 2 || got[0] != 16 || got[1] != 4 {
		t.Fatalf("batches %v, want 16 and 4 at once with no delay", got)
	}
}
