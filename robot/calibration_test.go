package robot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/robot/link"
)

func TestDefaultCalibrationIsValid(t *testing.T) {
	if err := DefaultCalibration().Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := Calibration{}.normalized()
	want := DefaultCalibration()
	want.Settle, want.Ramp, want.Rest = 0, 0, 0 // zero times mean none
	if err != nil || c != want {
		t.Fatalf("zero calibration normalizes to %+v, %v; want %+v", c, err, want)
	}
}

func TestReadCalibrationErrors(t *testing.T) {
	tests := []struct {
		name, json string
		field      string // the field the error must name ("" for none)
		want       string // a substring of the message
	}{
		{"negative speed", `{"speed_mm_s": -5}`, "speed_mm_s", "-5"},
		{"zero turn rate", `{"turn_deg_s": 0}`, "turn_deg_s", "more than 0"},
		{"huge pwm", `{"pwm": 9000}`, "pwm", "30 to 255"},
		{"fractional pwm", `{"pwm": 120.5}`, "pwm", "whole number"},
		{"string speed", `{"speed_mm_s": "fast"}`, "speed_mm_s", "want a number"},
		{"servo angle", `{"pen_up_deg": 200}`, "pen_up_deg", "0 to 180"},
		{"same angles", `{"pen_up_deg": 90, "pen_down_deg": 90}`, "pen_down_deg", "never lift"},
		{"slot 3", `{"servo_slot": 3}`, "servo_slot", "1 to 2"},
		{"slot 0", `{"servo_slot": 0}`, "servo_slot", "1 to 2"},
		{"servo port 0", `{"servo_port": 0}`, "servo_port", "ports 1 to 4"},
		{"servo port 5: the serial line", `{"servo_port": 5}`, "servo_port", "ports 1 to 4"},
		{"servo port 9: the left motor", `{"servo_port": 9}`, "servo_port", "9 and 10 the wheel motors"},
		{"servo port 10: the right motor", `{"servo_port": 10}`, "servo_port", "ports 1 to 4"},
		{"negative settle", `{"settle_ms": -1}`, "settle_ms", "0 to 5000"},
		{"track", `{"track_mm": 1e300}`, "track_mm", "30 to 500"},
		{"unknown field", `{"speed": 100}`, "speed", "unknown field"},
		{"syntax", "{\n  \"pwm\": 120,\n  oops\n}", "", "line 3 column"},
		{"truncated", `{"pwm": 12`, "", "truncated"},
		{"empty", ``, "", "empty file"},
		{"array", `[1, 2]`, "", "want a JSON object"},
		{"trailing", `{} {}`, "", "after the JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCalibration(strings.NewReader(tc.json), "cal.json")
			var ce *CalibrationError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v, want a *CalibrationError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cal.json: ") {
				t.Errorf("%q does not name the file", msg)
			}
			if ce.Field != tc.field {
				t.Errorf("field %q, want %q (%s)", ce.Field, tc.field, msg)
			}
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q, want one line with %q", msg, tc.want)
			}
		})
	}
}

func TestCalibrationRoundTrip(t *testing.T) {
	c := DefaultCalibration()
	c.Speed, c.TurnRate, c.InvertRight, c.ServoPort, c.Settle = 87.5, 141.25, true, 4, 300
	var buf bytes.Buffer
	if err := c.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cal.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCalibration(path)
	if err != nil || got != c {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, c)
	}
	// A partial file keeps the defaults for what it leaves out.
	got, err = ReadCalibration(strings.NewReader(`{"speed_mm_s": 80}`), "p.json")
	want := DefaultCalibration()
	want.Speed = 80
	if err != nil || got != want {
		t.Fatalf("partial file: %+v, %v", got, err)
	}
	if _, err := LoadCalibration(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzReadCalibration(f *testing.F) {
	f.Add([]byte(`{"pwm": 120, "speed_mm_s": 100}`))
	f.Add([]byte(`{"pen_up_deg": 1e400}`))
	f.Add([]byte(`{"servo_port": -1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCalibration(bytes.NewReader(data), "f.json")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid calibration: %v", err)
		}
		if _, err := NewProgram([]Motion{{Kind: Drive, Distance: 10}, {Kind: Turn, Angle: 90}}, Pose{}, c); err != nil {
			t.Fatalf("valid calibration does not compile: %v", err)
		}
	})
}

// TestVirtualModelMovesAsTheCalibrationSays drives a virtual mBot built by
// VirtualModel from calibrations unlike the stock one (speeds, turn rate,
// motor wiring, pen servo): it ends where the program says and inks the
// pen-down drives only.
func TestVirtualModelMovesAsTheCalibrationSays(t *testing.T) {
	fast := DefaultCalibration()
	fast.PWM, fast.Speed, fast.TurnPWM, fast.TurnRate = 150, 80, 100, 65
	invL := DefaultCalibration()
	invL.InvertLeft = true
	invBoth := DefaultCalibration()
	invBoth.InvertLeft, invBoth.InvertRight = true, true
	servo := DefaultCalibration()
	servo.ServoPort, servo.ServoSlot, servo.PenUp, servo.PenDown = 3, 2, 40, 120
	cases := []struct {
		name string
		cal  Calibration
	}{{"stock", DefaultCalibration()}, {"speeds and turn rate", fast}, {"left motor inverted", invL},
		{"both motors inverted", invBoth}, {"servo elsewhere", servo}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := Pose{X: 50, Y: 50, Heading: 30}
			prog, err := NewProgram([]Motion{{Kind: PenDown}, {Kind: Drive, Distance: 60}, {Kind: Turn, Angle: 90},
				{Kind: Drive, Distance: 40}, {Kind: PenUp}, {Kind: Turn, Angle: -135}, {Kind: Drive, Distance: -25}}, home, c.cal)
			if err != nil {
				t.Fatal(err)
			}
			clock := &link.ManualClock{}
			v := link.NewVirtual(link.VirtualOptions{Model: c.cal.VirtualModel(), Clock: clock,
				Start: home})
			defer v.Close()
			dial := func(ctx context.Context) (io.ReadWriteCloser, error) {
				return link.OpenWith("sim", link.Options{Sim: v})
			}
			if err := NewDriver(prog, dial, DriverOptions{Clock: clock}).Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			end, want := v.Pose(), prog.PoseBefore(len(prog.Motions))
			if math.Hypot(end.X-want.X, end.Y-want.Y) > 1e-6 || math.Abs(normDeg(end.Heading-want.Heading)) > 1e-6 {
				t.Errorf("robot ends at %+v, program says %+v", end, want)
			}
			if ink := v.Trace().Length(true); math.Abs(ink-100) > 1e-6 {
				t.Errorf("ink %.6f mm, want the 100 mm driven with the pen down", ink)
			}
		})
	}
}
