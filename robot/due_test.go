package robot

import (
	"context"
	"io"
	"testing"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// Driver.Due reports a deadline while a frame awaits its ack, for a
// driver on real time (a host that shares its thread waits for it), and
// none before or after the run; never with a clock of its own.
func TestDriverDue(t *testing.T) {
	r := newRig(t, testDrawing())
	cal := DefaultCalibration()
	for _, tc := range []struct {
		name  string
		clock bool
	}{{"real time", false}, {"shared clock", true}} {
		t.Run(tc.name, func(t *testing.T) {
			o := DriverOptions{TimeScale: 200}
			dial := r.dial
			if !tc.clock {
				v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), TimeScale: 200,
					Start: link.Pose{X: r.prog.Home.X, Y: r.prog.Home.Y, Heading: r.prog.Home.Heading}})
				defer v.Close()
				dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
					return link.OpenWith("sim", link.Options{Sim: v})
				}
			} else {
				o.Clock = r.clock
			}
			var d *Driver
			motors, servos, bad := 0, 0, 0
			o.OnSent = func(f SentFrame) {
				wait, ok := d.Due()
				motor := len(f.Bytes) > 5 && f.Bytes[5] == mblock.DevJoystick
				if motor {
					motors++
				}
				if len(f.Bytes) > 5 && f.Bytes[5] == mblock.DevServo {
					servos++
				}
				// Every frame awaits its ack: due now.
				if want := !tc.clock; ok != want || ok && wait != 0 {
					if bad++; bad <= 3 {
						t.Errorf("as % x went out, Due() = %v, %v; want due now: %v", f.Bytes, wait, ok, want)
					}
				}
			}
			d = NewDriver(r.prog, dial, o)
			if _, ok := d.Due(); ok {
				t.Error("Due before Run reports a deadline")
			}
			if err := d.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, ok := d.Due(); ok {
				t.Error("Due after Run reports a deadline")
			}
			if motors == 0 || servos == 0 {
				t.Fatalf("%d motor and %d servo frames went out", motors, servos)
			}
		})
	}
}
