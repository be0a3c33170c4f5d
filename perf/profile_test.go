package perf

import (
	"testing"
	"time"
)

func TestProfiles(t *testing.T) {
	cases := []struct {
		name        string
		delay       time.Duration
		memMB       float64
		compression bool
		aa          bool
	}{
		{"default", 16 * time.Millisecond, 100, true, true},
		{"aggressive", 8 * time.Millisecond, 80, true, true},
		{"conservative", 32 * time.Millisecond, 100, false, false},
	}
	for _, c := range cases {
		p, err := ProfileByName(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != c.name || p.BatchDelay != c.delay || p.MemoryLimitMB != c.memMB || p.Compression != c.compression || p.GPUAntiAlias != c.aa {
			t.Errorf("%s = %+v", c.name, p)
		}
		if p.BatchSize < 10 || p.BatchSize > 20 || p.TargetFPS != 60 || p.RestoreBelow >= p.DegradeAbove {
			t.Errorf("%s: batch %d fps %v thresholds %v/%v", c.name, p.BatchSize, p.TargetFPS, p.RestoreBelow, p.DegradeAbove)
		}
		mo := p.MonitorOptions()
		if mo.MemoryLimitMB != c.memMB || mo.WebSocketP99 != 50*time.Millisecond {
			t.Errorf("%s monitor options %+v", c.name, mo)
		}
		if ro := p.RenderOptimizerOptions(); ro.Start.AntiAlias != c.aa || ro.SustainFrames != p.SustainFrames {
			t.Errorf("%s optimizer options %+v", c.name, ro)
		}
		if to := p.TraceOptions(); to.Budget != 16666666 || to.Meta["profile"] != c.name {
			t.Errorf("%s trace options %+v", c.name, to)
		}
	}
	if p, err := ProfileByName(""); err != nil || p.Name != "default" {
		t.Errorf(`ProfileByName("") = %v, %v`, p.Name, err)
	}
	if _, err := ProfileByName("turbo"); err == nil || err.Error() != `unknown profile "turbo" (valid: default, aggressive, conservative)` {
		t.Errorf("unknown profile: %v", err)
	}
	ps := Profiles()
	ps[0].Name = "changed"
	if DefaultProfile().Name != "default" {
		t.Error("Profiles() exposes the table")
	}
}
