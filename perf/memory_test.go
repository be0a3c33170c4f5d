package perf

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestMemoryOptimizerAccounting(t *testing.T) {
	m := NewMemoryOptimizer(0)
	if m.Budget() != 100*mib {
		t.Fatalf("default budget %d", m.Budget())
	}
	m = NewMemoryOptimizer(20)
	m.Track("ink", 8*mib)
	m.Track("keyframes", 6*mib)
	m.Track("vertices", 1*mib)
	if m.Tracked() != 15*mib || m.Headroom() != 5*mib {
		t.Errorf("tracked %d headroom %d", m.Tracked(), m.Headroom())
	}
	if !m.Fits(5*mib) || m.Fits(5*mib+1) {
		t.Error("Fits disagrees with the 5 MB left")
	}
	if over, _ := m.OverBudget(); over {
		t.Error("over budget at 15 of 20 MB")
	}
	m.Track("keyframes", 12*mib) // replaces, not adds
	if m.Tracked() != 21*mib {
		t.Errorf("after re-Track: %d", m.Tracked())
	}
	over, why := m.OverBudget()
	if !over || !strings.Contains(why, "tracked buffers 21.0 MB > budget 20.0 MB") || !strings.Contains(why, "largest: keyframes 12.0 MB, ink 8.0 MB, vertices 1.0 MB") {
		t.Errorf("OverBudget = %v, %q", over, why)
	}
	m.Release("keyframes")
	m.Release("never-tracked")
	if m.Tracked() != 9*mib || m.Peak() != 21*mib {
		t.Errorf("after Release: tracked %d peak %d", m.Tracked(), m.Peak())
	}
	if bs := m.Buffers(); len(bs) != 2 || bs[0].Name != "ink" {
		t.Errorf("Buffers = %v", bs)
	}
	m.Track("neg", -5)
	if m.Tracked() != 9*mib {
		t.Error("a negative size changed the total")
	}
}

func TestMemoryOptimizerRuntimeLimit(t *testing.T) {
	m := NewMemoryOptimizer(80)
	prev := m.ApplyRuntimeLimit()
	defer debug.SetMemoryLimit(prev)
	if got := debug.SetMemoryLimit(-1); got != 80*mib {
		t.Errorf("runtime memory limit = %d, want %d", got, 80*mib)
	}
}

func TestBytePoolReuses(t *testing.T) {
	var p BytePool
	b := p.Get(100_000)
	if len(b) != 100_000 || cap(b) != 128<<10 {
		t.Fatalf("Get(100000): len %d cap %d", len(b), cap(b))
	}
	p.Put(b)
	// sync.Pool may drop an item at any GC (and, under the race detector,
	// at random); a few rounds are enough to see reuse.
	for range 20 {
		c := p.Get(70_000)
		if len(c) != 70_000 {
			t.Fatalf("len %d", len(c))
		}
		p.Put(c)
		if p.Stats().Reused > 0 {
			break
		}
	}
	if p.Stats().Reused == 0 {
		t.Error("a returned buffer was never reused")
	}
	small := p.Get(100)
	p.Put(small)
	p.Put(make([]byte, 100_000)) // not a pool class
	st := p.Stats()
	if st.Dropped != 2 || st.Reused == 0 || st.Gets == 0 {
		t.Errorf("stats %+v", st)
	}
	for _, c := range []struct{ n, class int }{{1 << 16, 0}, {1<<16 + 1, 1}, {1 << 20, 4}, {1 << 30, 14}, {1<<30 + 1, -1}, {65535, -1}} {
		if got := poolClass(c.n); got != c.class {
			t.Errorf("poolClass(%d) = %d, want %d", c.n, got, c.class)
		}
	}
}

func TestRGBAPoolClears(t *testing.T) {
	var p RGBAPool
	img := p.Get(300, 200)
	if img.Bounds().Dx() != 300 || img.Bounds().Dy() != 200 || img.Stride != 1200 || len(img.Pix) != 240000 {
		t.Fatalf("image %v stride %d len %d", img.Bounds(), img.Stride, len(img.Pix))
	}
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	p.Put(img)
	again := p.Get(300, 200)
	for i, v := range again.Pix {
		if v != 0 {
			t.Fatalf("reused image not cleared at byte %d", i)
		}
	}
	m := NewMemoryOptimizer(0)
	m.RGBA.Put(m.RGBA.Get(256, 256))
	if m.Bytes.Stats().Puts != 1 {
		t.Error("the optimizer's RGBA pool does not use its byte pool")
	}
}

func BenchmarkRGBAFrame(b *testing.B) {
	b.Run("pool", func(b *testing.B) {
		var p RGBAPool
		b.ReportAllocs()
		for b.Loop() {
			p.Put(p.Get(1920, 1080))
		}
	})
	b.Run("make", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			img := make([]byte, 1920*1080*4)
			img[0] = 1
		}
	})
}
