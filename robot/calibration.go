package robot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// Calibration holds what the host must know about one robot to move it by
// time: the classic mBot has no wheel encoders, so a move of L mm is a run of
// L/speed seconds. `mbotdraw calibrate` measures Speed and TurnRate; the rest
// are set by hand. It is stored as JSON with the field names below.
//
// The default values suit a stock mBot on fresh AA cells: PWM 120 drives at
// about 100 mm/s and spins at about 100°/s (wheels 115 mm apart), the pen
// servo sits on Port 1, slot 1, up at 160° and down at 90°, and settles in
// 250 ms; moves ramp through half speed for 60 ms and rest 40 ms before a
// wheel reverses. DefaultCalibration returns these values. Compile and
// NewProgram also accept a Go literal whose motor, geometry and servo fields
// are zero (they take the defaults); zero Settle, Ramp and Rest mean none.
type Calibration struct {
	// PWM is the motor value used for drawing and travel, 30…255.
	PWM int `json:"pwm"`
	// Speed is how fast the robot drives straight at PWM, in mm/s.
	Speed float64 `json:"speed_mm_s"`
	// TurnPWM is the motor value used for turns in place, 30…255.
	TurnPWM int `json:"turn_pwm"`
	// TurnRate is how fast the robot spins in place at TurnPWM, in °/s.
	TurnRate float64 `json:"turn_deg_s"`
	// Track is the distance between the wheels' centres in mm. The virtual
	// mBot uses it; the host's timing uses Speed and TurnRate.
	Track float64 `json:"track_mm"`
	// InvertLeft and InvertRight flip a motor whose wires are the other way
	// round. Without them, forward is M1 negative and M2 positive.
	InvertLeft  bool `json:"invert_left"`
	InvertRight bool `json:"invert_right"`
	// ServoPort (1…4: the mCore's RJ25 ports) and ServoSlot (1 or 2) say
	// where the pen servo is plugged; PenUp and PenDown are its angles in degrees (0…180).
	ServoPort int `json:"servo_port"`
	ServoSlot int `json:"servo_slot"`
	PenUp     int `json:"pen_up_deg"`
	PenDown   int `json:"pen_down_deg"`
	// Settle is how long the pen servo needs to move, in ms.
	Settle float64 `json:"settle_ms"`
	// Ramp is how long each move runs at half its PWM at the start and at the
	// end, in ms, so that the motors never jump from rest to full speed.
	Ramp float64 `json:"ramp_ms"`
	// Rest is the pause, in ms, between two moves that turn a wheel the
	// other way: a direction reversal at speed browns out the board.
	Rest float64 `json:"rest_ms"`
}

// DefaultCalibration returns the values documented on Calibration.
func DefaultCalibration() Calibration {
	return Calibration{
		PWM: 120, Speed: 100, TurnPWM: 120, TurnRate: 100, Track: 115,
		ServoPort: 1, ServoSlot: 1, PenUp: 160, PenDown: 90,
		Settle: 250, Ramp: 60, Rest: 40,
	}
}

// servoPorts says why servo_port must be 1 to 4: the firmware drives
// whatever pin the port and slot name, and only ports 1–4 are plugs.
const servoPorts = ": the pen servo plugs into one of the mBot's RJ25 ports 1 to 4 (through an RJ25 adapter); " +
	"the numbers above 4 are the board's own pins (5 the serial line, 6 and 8 the buzzer and light sensor, " +
	"7 the LEDs and button, 9 and 10 the wheel motors)"

// CalibrationError names the calibration file and field that is wrong.
type CalibrationError struct {
	File  string // "" when the calibration did not come from a file
	Field string // JSON field name, or "" for the whole file
	Err   error
}

func (e *CalibrationError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	} else {
		b.WriteString("calibration: ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *CalibrationError) Unwrap() error { return e.Err }

// ErrCalibrationRange marks a calibration value outside its sane range.
var ErrCalibrationRange = errors.New("out of range")

// Validate checks every field against a sane range and returns a
// *CalibrationError naming the first field that is not.
func (c Calibration) Validate() error {
	intIn := func(field string, v, lo, hi int, unit string) error {
		if v < lo || v > hi {
			return &CalibrationError{Field: field, Err: fmt.Errorf("%w: %d; want %d to %d%s", ErrCalibrationRange, v, lo, hi, unit)}
		}
		return nil
	}
	floatIn := func(field string, v, lo, hi float64, open bool, unit string) error {
		bad := math.IsNaN(v) || v > hi || v < lo || (open && v == lo)
		if bad {
			want := fmt.Sprintf("%g to %g", lo, hi)
			if open {
				want = fmt.Sprintf("more than %g and at most %g", lo, hi)
			}
			return &CalibrationError{Field: field, Err: fmt.Errorf("%w: %g; want %s%s", ErrCalibrationRange, v, want, unit)}
		}
		return nil
	}
	checks := []error{
		intIn("pwm", c.PWM, 30, 255, ""),
		floatIn("speed_mm_s", c.Speed, 0, 2000, true, " mm/s"),
		intIn("turn_pwm", c.TurnPWM, 30, 255, ""),
		floatIn("turn_deg_s", c.TurnRate, 0, 3600, true, " °/s"),
		floatIn("track_mm", c.Track, 30, 500, false, " mm"),
		intIn("servo_port", c.ServoPort, 1, 4, servoPorts),
		intIn("servo_slot", c.ServoSlot, 1, 2, " (each RJ25 port has two signal pins, slot 1 and slot 2)"),
		intIn("pen_up_deg", c.PenUp, 0, 180, "°"),
		intIn("pen_down_deg", c.PenDown, 0, 180, "°"),
		floatIn("settle_ms", c.Settle, 0, 5000, false, " ms"),
		floatIn("ramp_ms", c.Ramp, 0, 1000, false, " ms"),
		floatIn("rest_ms", c.Rest, 0, 5000, false, " ms"),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if c.PenUp == c.PenDown {
		return &CalibrationError{Field: "pen_down_deg", Err: fmt.Errorf("equals pen_up_deg (%d°): the pen would never lift", c.PenUp)}
	}
	return nil
}

// ReadCalibration reads a calibration from JSON. Fields left out keep their
// default values; unknown fields and values out of range are errors. name is
// used in error messages.
func ReadCalibration(r io.Reader, name string) (Calibration, error) {
	c := DefaultCalibration()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return c, &CalibrationError{File: name, Err: err}
	}
	if len(data) > 1<<20 {
		return c, &CalibrationError{File: name, Err: errors.New("larger than 1 MB; not a calibration file")}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, &CalibrationError{File: name, Field: jsonField(err), Err: jsonProblem(err, data)}
	}
	if dec.More() {
		return c, &CalibrationError{File: name, Err: fmt.Errorf("byte %d: unexpected data after the JSON object", dec.InputOffset())}
	}
	if err := c.Validate(); err != nil {
		var ce *CalibrationError
		if errors.As(err, &ce) {
			ce.File = name
		}
		return c, err
	}
	return c, nil
}

// LoadCalibration reads a calibration file (see ReadCalibration).
func LoadCalibration(path string) (Calibration, error) {
	f, err := os.Open(path)
	if err != nil {
		return DefaultCalibration(), &CalibrationError{File: path, Err: errors.Unwrap(err)}
	}
	defer f.Close()
	return ReadCalibration(f, path)
}

// WriteJSON writes the calibration as indented JSON.
func (c Calibration) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(f, `"`)
	}
	return ""
}

func jsonProblem(err error, data []byte) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("byte %d: want %s, got JSON %s", te.Offset, kindName(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset)
		return fmt.Errorf("line %d column %d: %s", line, col, se.Error())
	case errors.Is(err, io.EOF):
		return errors.New("empty file; want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errors.New("unknown field")
	}
	return err
}

func kindName(k string) string {
	switch k {
	case "int":
		return "a whole number"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "struct":
		return "a JSON object"
	}
	return k
}

func lineCol(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// normalized fills zero fields with defaults (so that Calibration{} works as
// the default) and checks the result.
func (c Calibration) normalized() (Calibration, error) {
	d := DefaultCalibration()
	if c.PWM == 0 {
		c.PWM = d.PWM
	}
	if c.Speed == 0 {
		c.Speed = d.Speed
	}
	if c.TurnPWM == 0 {
		c.TurnPWM = d.TurnPWM
	}
	if c.TurnRate == 0 {
		c.TurnRate = d.TurnRate
	}
	if c.Track == 0 {
		c.Track = d.Track
	}
	if c.ServoPort == 0 {
		c.ServoPort = d.ServoPort
	}
	if c.ServoSlot == 0 {
		c.ServoSlot = d.ServoSlot
	}
	if c.PenUp == 0 && c.PenDown == 0 {
		c.PenUp, c.PenDown = d.PenUp, d.PenDown
	}
	return c, c.Validate()
}

// EffectiveTrack is the wheel base, in mm, that makes a differential-drive
// model spin at TurnRate when its wheels run at the drive model's speed for
// TurnPWM: the track a simulator needs to reproduce this calibration exactly.
func (c Calibration) EffectiveTrack() float64 {
	wheel := c.Speed * float64(c.TurnPWM) / float64(c.PWM) // mm/s per wheel
	return 2 * wheel / (c.TurnRate * math.Pi / 180)
}

// Wiring returns the motor wiring the calibration describes.
func (c Calibration) Wiring() mblock.Wiring {
	return mblock.Wiring{InvertLeft: c.InvertLeft, InvertRight: c.InvertRight}
}

// VirtualModel returns the physics of a virtual mBot (link.Virtual) that
// moves exactly as c says: its wheels' speed for a PWM, its turn rate (as
// EffectiveTrack), its motor wiring, and where its pen servo is plugged and
// at which angles the pen is up and down. Fields left zero in c stay zero,
// which the virtual mBot reads as its own defaults.
func (c Calibration) VirtualModel() link.Model {
	return link.Model{PWM: c.PWM, Speed: c.Speed, Track: c.EffectiveTrack(), Wiring: c.Wiring(),
		ServoPort: c.ServoPort, ServoSlot: c.ServoSlot, PenUp: c.PenUp, PenDown: c.PenDown}
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
