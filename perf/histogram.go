// Package perf is mbotdraw's performance system: latency histograms, the
// profiler, the frame budget, the render and memory optimizers, the monitor
// and its alerts, benchmark suites, optimization profiles and trace export.
// It imports nothing from this module.
package perf

import (
	"math"
	"math/bits"
	"time"
)

// Histogram records durations in fixed memory (about 8 KiB) with a relative
// error of at most 1/64 (1.6%) on every quantile, and exact minimum, maximum,
// count and mean. Histograms merge. The zero value is empty and ready to use.
// A Histogram is not safe for concurrent use.
type Histogram struct {
	counts   [histBuckets]uint32
	n        uint64
	sum      float64 // nanoseconds
	min, max time.Duration
}

const (
	subBits     = 6 // 64 sub-buckets per power of two
	subCount    = 1 << subBits
	histBuckets = (64 - subBits + 1) * subCount
)

// bucket maps a non-negative value in nanoseconds to its bucket. Values below
// 64 ns have a bucket each (exact); above, each power of two is cut into 64.
func bucket(v uint64) int {
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(v) - subBits // ≥ 1
	return e*subCount + int(v>>(e-1)) - subCount
}

// bucketLow returns the smallest value of bucket b, and its width.
func bucketLow(b int) (low, width uint64) {
	if b < subCount {
		return uint64(b), 1
	}
	e := b / subCount
	m := uint64(b%subCount) + subCount
	return m << (e - 1), 1 << (e - 1)
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.counts[bucket(uint64(d))]++
	h.n++
	h.sum += float64(d)
}

// Count returns the number of recorded durations.
func (h *Histogram) Count() uint64 { return h.n }

// Min and Max return the exact extremes (0 when empty).
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest recorded duration (0 when empty).
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the exact mean (0 when empty).
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) by the nearest-rank rule: the
// smallest recorded value v such that at least q·Count values are ≤ v, to
// within the bucket's 1.6%. It is clamped to [Min, Max], so Quantile(0) is Min
// and Quantile(1) is Max exactly. Empty histograms return 0.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	for b, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			low, width := bucketLow(b)
			v := time.Duration(low + (width-1)/2)
			return max(h.min, min(h.max, v))
		}
	}
	return h.max
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for b, c := range o.counts {
		h.counts[b] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Reset empties the histogram.
func (h *Histogram) Reset() { *h = Histogram{} }

// Summary is a histogram's headline figures in milliseconds, as reports and
// JSON show them.
type Summary struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Summary returns p50, p95, p99 and max in milliseconds.
func (h *Histogram) Summary() Summary {
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
	return Summary{P50: ms(h.Quantile(0.50)), P95: ms(h.Quantile(0.95)), P99: ms(h.Quantile(0.99)), Max: ms(h.max)}
}
