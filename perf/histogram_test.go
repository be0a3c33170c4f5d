package perf

import (
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	cases := []struct {
		q    float64
		want time.Duration
	}{
		{0, time.Microsecond}, {0.5, 500 * time.Microsecond}, {0.95, 950 * time.Microsecond},
		{0.99, 990 * time.Microsecond}, {1, 1000 * time.Microsecond},
	}
	for _, c := range cases {
		got := h.Quantile(c.q)
		if diff := float64(got-c.want) / float64(c.want); diff > 1.0/64 || diff < -1.0/64 {
			t.Errorf("Quantile(%v) = %v, want %v within 1/64", c.q, got, c.want)
		}
	}
	if h.Min() != time.Microsecond || h.Max() != time.Millisecond || h.Count() != 1000 {
		t.Errorf("min/max/count = %v/%v/%d", h.Min(), h.Max(), h.Count())
	}
}

func TestHistogramSmallValuesExact(t *testing.T) {
	var h Histogram
	for _, v := range []time.Duration{3, 1, 2, 7, 5} {
		h.Record(v)
	}
	if got := h.Quantile(0.5); got != 3 {
		t.Errorf("median of 1,2,3,5,7 ns = %v, want 3ns", got)
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i := 0; i < 500; i++ {
		d := time.Duration(i*i) * time.Nanosecond
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	a.Merge(&b)
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, a.Quantile(q), all.Quantile(q))
		}
	}
	if a.Count() != all.Count() || a.Max() != all.Max() || a.Min() != all.Min() {
		t.Error("merged count/min/max differ")
	}
}

func TestBucketsCoverRange(t *testing.T) {
	for _, v := range []uint64{0, 63, 64, 65, 127, 128, 1 << 40, 1<<63 - 1} {
		b := bucket(v)
		low, w := bucketLow(b)
		if v < low || v >= low+w {
			t.Errorf("value %d in bucket %d [%d,%d)", v, b, low, low+w)
		}
	}
}
