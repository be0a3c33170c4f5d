//go:build linux

package link

import (
	"context"
	"math"
	"testing"
	"time"

	"mbotdraw/robot/mblock"
)

// BenchmarkScaledClockJitter measures what real-time jitter does to a
// simulated robot at time scale K, over a real pseudo-terminal: each op
// drives 100 mm (1 s of robot time at PWM 120) and spins 90° (0.9 s), the
// host waiting on the same ScaledClock until each stop's absolute send time
// (the drive's send time + the move's duration); it reports the mean error of the
// distance (mm) and of the heading (degrees). A ScaledClock multiplies
// scheduling jitter by K; a PacedClock (shared by host and robot, in one
// process) and a ManualClock have none.
func BenchmarkScaledClockJitter(b *testing.B) {
	for _, c := range []struct {
		name string
		clk  Sleeper
	}{
		{"scaled/K=1", NewScaledClock(1)},
		{"scaled/K=10", NewScaledClock(10)},
		{"scaled/K=50", NewScaledClock(50)},
		{"scaled/K=200", NewScaledClock(200)},
		{"paced/K=50", NewPacedClock(50)},
		{"paced/K=200", NewPacedClock(200)},
	} {
		b.Run(c.name, func(b *testing.B) {
			clk := c.clk
			v := NewVirtual(VirtualOptions{Clock: clk, NoBanner: true})
			defer v.Close()
			path, err := v.StartPTY("")
			if err != nil {
				b.Fatal(err)
			}
			l, err := OpenWith(path, Options{BootWait: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			l.SetReadTimeout(2 * time.Second)
			r := mblock.NewReader(l)
			ack := func(f []byte) {
				if _, err := l.Write(f); err != nil {
					b.Fatal(err)
				}
				if rep, err := r.Next(); err != nil || rep.Kind != mblock.Ack {
					b.Fatalf("%v %v", rep, err)
				}
			}
			ctx := context.Background()
			var distErr, headErr float64
			for b.Loop() {
				p0 := v.Pose()
				// Absolute schedule: the stop goes out 1 s after the drive
				// was sent, not 1 s after its ack came back, so the round
				// trip does not lengthen the move.
				t0 := clk.Now()
				ack(mblock.Drive(0, 120, 120))
				clk.Sleep(ctx, t0+time.Second-clk.Now())
				ack(mblock.Stop(0))
				p1 := v.Pose()
				distErr += math.Abs(math.Hypot(p1.X-p0.X, p1.Y-p0.Y) - 100)
				t0 = clk.Now()
				ack(mblock.Drive(0, 120, -120))
				clk.Sleep(ctx, t0+900*time.Millisecond-clk.Now())
				ack(mblock.Stop(0))
				d := math.Mod(v.Pose().Heading-p1.Heading+360, 360)
				headErr += math.Abs(d - 90)
			}
			b.ReportMetric(distErr/float64(b.N), "mm-err/op")
			b.ReportMetric(headErr/float64(b.N), "deg-err/op")
		})
	}
}
