package perf

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"math/bits"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultMemoryBudgetMB is the memory budget a zero budget means: 100 MB,
// the product's "memory < 100 MB" invariant.
const DefaultMemoryBudgetMB = 100

const mib = 1 << 20

// MemoryOptimizer keeps the program's big buffers inside a memory budget:
// it accounts for them by name (ink layers, keyframes, vertex pools), says
// whether a new one fits, detects when the accounted total goes over budget,
// pools large byte and RGBA buffers, and sets the Go runtime's soft memory
// limit from the budget. It is safe for concurrent use.
//
// Sizes are bytes; budgets are MB (2^20 bytes).
type MemoryOptimizer struct {
	budget int64

	mu      sync.Mutex
	buffers map[string]int64
	total   int64
	peak    int64

	// Bytes pools byte slices of 64 KiB and more; RGBA pools images on top of
	// it. Both are ready to use.
	Bytes BytePool
	RGBA  RGBAPool
}

// NewMemoryOptimizer returns an optimizer with a budget of budgetMB
// (≤ 0 or NaN: DefaultMemoryBudgetMB).
func NewMemoryOptimizer(budgetMB float64) *MemoryOptimizer {
	if !(budgetMB > 0) || math.IsInf(budgetMB, 0) {
		budgetMB = DefaultMemoryBudgetMB
	}
	m := &MemoryOptimizer{budget: int64(budgetMB * mib), buffers: make(map[string]int64)}
	m.RGBA.bytes = &m.Bytes
	return m
}

// Budget returns the budget in bytes.
func (m *MemoryOptimizer) Budget() int64 { return m.budget }

// Track sets the size of the buffer called name (replacing any earlier size
// of that name); negative sizes count as 0.
func (m *MemoryOptimizer) Track(name string, bytes int64) {
	bytes = max(0, bytes)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.total += bytes - m.buffers[name]
	m.buffers[name] = bytes
	m.peak = max(m.peak, m.total)
}

// Release forgets the buffer called name.
func (m *MemoryOptimizer) Release(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.total -= m.buffers[name]
	delete(m.buffers, name)
}

// Tracked returns the accounted total in bytes, and Peak the largest it has
// been.
func (m *MemoryOptimizer) Tracked() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// Peak returns the largest accounted total so far, in bytes.
func (m *MemoryOptimizer) Peak() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak
}

// Fits reports whether n more bytes stay inside the budget (the canvas asks
// it before adding a keyframe).
func (m *MemoryOptimizer) Fits(n int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total+n <= m.budget
}

// Headroom returns the bytes left in the budget (negative when over).
func (m *MemoryOptimizer) Headroom() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.budget - m.total
}

// OverBudget reports whether the accounted buffers exceed the budget, with
// a one-line reason naming the largest buffers when they do.
func (m *MemoryOptimizer) OverBudget() (bool, string) {
	m.mu.Lock()
	over := m.total > m.budget
	m.mu.Unlock()
	if !over {
		return false, ""
	}
	bs := m.Buffers()
	s := fmt.Sprintf("tracked buffers %.1f MB > budget %.1f MB", float64(m.Tracked())/mib, float64(m.budget)/mib)
	for i, b := range bs[:min(3, len(bs))] {
		sep := "; largest: "
		if i > 0 {
			sep = ", "
		}
		s += fmt.Sprintf("%s%s %.1f MB", sep, b.Name, float64(b.Bytes)/mib)
	}
	return true, s
}

// Buffer is one accounted buffer.
type Buffer struct {
	Name  string `json:"name"`
	Bytes int64  `json:"bytes"`
}

// Buffers returns the accounted buffers, largest first.
func (m *MemoryOptimizer) Buffers() []Buffer {
	m.mu.Lock()
	out := make([]Buffer, 0, len(m.buffers))
	for n, b := range m.buffers {
		out = append(out, Buffer{n, b})
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b Buffer) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// ApplyRuntimeLimit sets the Go runtime's soft memory limit
// (debug.SetMemoryLimit) to the budget, so the garbage collector works
// harder as the process nears it, and returns the previous limit so that a
// caller (or a test) can put it back.
func (m *MemoryOptimizer) ApplyRuntimeLimit() (previous int64) {
	return debug.SetMemoryLimit(m.budget)
}

// BytePool recycles large byte slices through size classes of powers of
// two, from 64 KiB (smaller slices are cheap to allocate and are not
// pooled) up to 1 GiB. Pooling pays for frame-sized buffers (an RGBA frame
// at 1920x1080 is 7.9 MiB): reuse saves the allocation, the zeroing and the
// garbage collector's work. Idle buffers are dropped by the garbage
// collector (sync.Pool), so the pool never pins memory. The zero value is
// ready to use; it is safe for concurrent use.
type BytePool struct {
	classes       [poolClasses]sync.Pool
	gets, reused  atomic.Uint64
	puts, dropped atomic.Uint64
}

const (
	poolMinShift = 16 // 64 KiB
	poolClasses  = 15 // up to 1 GiB
)

// Get returns a slice of length n. Its contents are undefined unless it is
// freshly allocated (callers that need zeros clear it). Put it back when done.
func (p *BytePool) Get(n int) []byte {
	c := poolClass(n)
	if c < 0 {
		return make([]byte, n)
	}
	p.gets.Add(1)
	if v := p.classes[c].Get(); v != nil {
		p.reused.Add(1)
		return (*v.(*[]byte))[:n]
	}
	return make([]byte, n, 1<<(c+poolMinShift))
}

// Put returns b to the pool for reuse. Slices whose capacity is not a pool
// class (too small, or not from Get) are left to the garbage collector.
func (p *BytePool) Put(b []byte) {
	c := poolClass(cap(b))
	if c < 0 || cap(b) != 1<<(c+poolMinShift) {
		p.dropped.Add(1)
		return
	}
	p.puts.Add(1)
	b = b[:0]
	p.classes[c].Put(&b)
}

// PoolStats counts a pool's traffic: Gets of poolable sizes, how many were
// served by reuse, Puts kept, and Dropped slices that could not be pooled.
type PoolStats struct {
	Gets, Reused, Puts, Dropped uint64
}

// Stats returns the pool's counters.
func (p *BytePool) Stats() PoolStats {
	return PoolStats{p.gets.Load(), p.reused.Load(), p.puts.Load(), p.dropped.Load()}
}

// poolClass returns the size class of n bytes: the smallest c with
// 2^(c+16) ≥ n, or -1 when n is too small or too large to pool.
func poolClass(n int) int {
	if n < 1<<poolMinShift || n > 1<<(poolMinShift+poolClasses-1) {
		return -1
	}
	c := bits.Len(uint(n-1)) - poolMinShift
	return max(0, c)
}

// RGBAPool recycles *image.RGBA frames (ink layers, keyframes, composed
// frames) on a BytePool. The zero value uses its own BytePool; it is safe for
// concurrent use.
type RGBAPool struct {
	bytes *BytePool
	own   BytePool
}

func (p *RGBAPool) pool() *BytePool {
	if p.bytes != nil {
		return p.bytes
	}
	return &p.own
}

// Get returns a cleared (transparent) w×h image.
func (p *RGBAPool) Get(w, h int) *image.RGBA {
	w, h = max(0, w), max(0, h)
	pix := p.pool().Get(4 * w * h)
	clear(pix)
	return &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

// Put returns img's pixels to the pool; img must not be used afterwards.
func (p *RGBAPool) Put(img *image.RGBA) {
	if img == nil {
		return
	}
	p.pool().Put(img.Pix)
	img.Pix = nil
}
