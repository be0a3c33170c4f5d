package mblock

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

const ii = 0x07 // a request index for the vectors written "ii"

// hostVectors holds every host→robot vector of mbot-protocol.md §7 (1–23)
// and the worked examples of §3, with the encoder call that must produce it.
var hostVectors = []struct {
	name string
	want string
	got  []byte
}{
	{"7.1 setMotor(M1,10)", "ff 55 06 01 02 0a 09 0a 00", Motor(1, PortM1, 10)},
	{"7.2 moveForward(10)", "ff 55 07 01 02 05 f6 ff 0a 00", Drive(1, 10, 10)},
	{"7.3 moveBackward(10)", "ff 55 07 01 02 05 0a 00 f6 ff", Drive(1, -10, -10)},
	{"7.4 turnLeft(10)", "ff 55 07 01 02 05 0a 00 0a 00", Drive(1, -10, 10)},
	{"7.5 turnRight(10)", "ff 55 07 01 02 05 f6 ff f6 ff", Drive(1, 10, -10)},
	{"7.6 stopMoving", "ff 55 07 01 02 05 00 00 00 00", Stop(1)},
	{"7.7 both LEDs (20,60,150)", "ff 55 09 01 02 08 07 02 00 14 3c 96", BoardLED(1, 0, 20, 60, 150)},
	{"7.8 buzzer C4 500 ms", "ff 55 07 01 02 22 06 01 f4 01", Tone(1, 262, 500)},
	{"7.9 ultrasonic Port3", "ff 55 04 07 01 01 03", Ultrasonic(ii, Port3)},
	{"7.10 on-board light", "ff 55 04 07 01 03 06", Light(ii, PortLight)},
	{"7.11 line follower Port2", "ff 55 04 07 01 11 02", LineFollower(ii, Port2)},
	{"7.12 ultrasonic Port3 idx 0", "ff 55 04 00 01 01 03", Ultrasonic(0, Port3)},
	{"7.13 buzzer C4 500 ms idx 0", "ff 55 07 00 02 22 06 01 f4 01", Tone(0, 262, 500)},
	{"7.14 both LEDs yellow", "ff 55 09 00 02 08 07 02 00 ff ff 00", BoardLED(0, 0, 255, 255, 0)},
	{"7.15 reset all", "ff 55 02 00 04", Reset(0)},
	{"7.16 version query + junk 0a", "ff 55 03 fa 01 00 0a", append(Version(0xfa), 0x0a)},
	{"7.17 reset + junk", "ff 55 02 00 04 0a 0d", append(Reset(0), 0x0a, 0x0d)},
	{"7.17 start + junk", "ff 55 02 00 05 0a 0d", append(Start(0), 0x0a, 0x0d)},
	{"7.18 version query (MBLY)", "ff 55 04 07 01 00 00", Get(ii, DevVersion, 0)},
	{"7.19 runBot forward 100", "ff 55 07 00 02 05 9c ff 64 00", Drive(0, 100, 100)},
	{"7.20 runServo Port1 Slot1 90", "ff 55 06 00 02 0b 01 01 5a", Servo(0, Port1, Slot1, 90)},
	{"7.21 runMotor M1 100 (negated)", "ff 55 06 00 02 0a 09 9c ff", Motor(0, PortM1, -100)},
	{"7.22 on-board button pressed?", "ff 55 05 00 01 23 07 00", BoardButton(0)},
	{"7.23 analog A7", "ff 55 04 07 01 1f 07", Analog(ii, 7)},
	// §3 worked examples.
	{"3 gentle left arc 150/200", "ff 55 07 00 02 05 6a ff c8 00", Drive(0, 150, 200)},
	{"3 spin clockwise 200", "ff 55 07 00 02 05 38 ff 38 ff", Drive(0, 200, -200)},
	{"3 spin anticlockwise 200", "ff 55 07 00 02 05 c8 00 c8 00", Drive(0, -200, 200)},
	{"3 full reverse", "ff 55 07 00 02 05 ff 00 01 ff", Drive(0, -255, -255)},
	{"3 full reverse, clamped", "ff 55 07 00 02 05 ff 00 01 ff", Drive(0, -1000, -256)},
	{"3 stop M1", "ff 55 06 00 02 0a 09 00 00", Motor(0, PortM1, 0)},
	{"3 stop M2", "ff 55 06 00 02 0a 0a 00 00", Motor(0, PortM2, 0)},
	{"3 M2 raw +100", "ff 55 06 00 02 0a 0a 64 00", Motor(0, PortM2, 100)},
	{"3 servo Port4 slot2 30", "ff 55 06 00 02 0b 04 02 1e", Servo(0, Port4, Slot2, 30)},
	{"3 servo Port1 slot2 150", "ff 55 06 00 02 0b 01 02 96", Servo(0, Port1, Slot2, 150)},
	{"3 servo angle clamped", "ff 55 06 00 02 0b 01 02 b4", Servo(0, Port1, Slot2, 300)},
	{"3 ultrasonic idx 5", "ff 55 04 05 01 01 03", Ultrasonic(5, Port3)},
	{"3 ultrasonic Port4", "ff 55 04 00 01 01 04", Ultrasonic(0, Port4)},
	{"3 buzzer A4 250 ms", "ff 55 07 00 02 22 b8 01 fa 00", Tone(0, 440, 250)},
	{"3 buzzer off", "ff 55 05 00 02 22 00 00", ToneOff(0)},
	{"3 both LEDs red", "ff 55 09 00 02 08 07 02 00 ff 00 00", BoardLED(0, 0, 255, 0, 0)},
	{"3 LED 1 green", "ff 55 09 00 02 08 07 02 01 00 ff 00", LED(0, PortBoard, Slot2, 1, 0, 255, 0)},
	{"3 both LEDs off", "ff 55 09 00 02 08 07 02 00 00 00 00", BoardLED(0, 0, 0, 0, 0)},
	{"3 version (MBLY idx 1)", "ff 55 04 01 01 00 00", Get(1, DevVersion, 0)},
}

func TestHostVectors(t *testing.T) {
	for _, v := range hostVectors {
		if want := unhex(t, v.want); !bytes.Equal(v.got, want) {
			t.Errorf("%s: got % x, want % x", v.name, v.got, want)
		}
	}
}

// TestHostVectorsDecode feeds every vector, junk bytes included, to the
// firmware-faithful decoder in one stream and checks each frame comes out
// once, equal to what was sent.
func TestHostVectorsDecode(t *testing.T) {
	var stream []byte
	var want [][]byte
	for _, v := range hostVectors {
		b := unhex(t, v.want)
		stream = append(stream, b...)
		n := int(b[2]) + 3
		want = append(want, b[:n])
		r, err := ParseRequest(b[:n])
		if err != nil {
			t.Errorf("%s: ParseRequest: %v", v.name, err)
			continue
		}
		if got := r.Encode(); !bytes.Equal(got, b[:n]) {
			t.Errorf("%s: Encode after ParseRequest = % x, want % x", v.name, got, b[:n])
		}
	}
	var d RequestDecoder
	got := d.Feed(stream)
	if len(got) != len(want) {
		t.Fatalf("decoded %d frames from the stream, want %d", len(got), len(want))
	}
	for i, r := range got {
		if !bytes.Equal(r.Encode(), want[i]) {
			t.Errorf("frame %d (%s): decoded % x, want % x", i, hostVectors[i].name, r.Encode(), want[i])
		}
		if !bytes.Equal(r.Raw, want[i]) {
			t.Errorf("frame %d (%s): Raw % x, want the bytes received, % x", i, hostVectors[i].name, r.Raw, want[i])
		}
	}
}

func TestRequestString(t *testing.T) {
	for _, c := range []struct {
		frame []byte
		want  string
	}{
		{Drive(0, 100, 100), "run joystick m1=-100 m2=100"},
		{Servo(0, Port1, Slot1, 90), "run servo port=1 slot=1 angle=90"},
		{Ultrasonic(5, Port3), "get ultrasonic port=3 idx=5"},
		{Reset(0), "reset idx=0"},
		{Tone(0, 262, 500), "run tone hz=262 ms=500"},
		{[]byte{0xff, 0x55, 0x03}, "mblock frame ff 55 03: 3 bytes, want at least 5"},
	} {
		if got := Describe(c.frame); got != c.want {
			t.Errorf("Describe(% x) = %q, want %q", c.frame, got, c.want)
		}
	}
}

func TestParseRequestErrors(t *testing.T) {
	for _, c := range []struct {
		frame string
		want  string
	}{
		{"ff 55 02", "want at least 5"},
		{"fe 55 02 00 04", "header"},
		{"ff 55 05 00 02 05", "LEN 5, but 3 bytes follow"},
		{"ff 55 01 00 02", "LEN 1, but 2 bytes follow"},
		{"ff 55 31" + strings.Repeat(" 00", 49), "LEN 49 outside 2…48"},
	} {
		_, err := ParseRequest(unhex(t, c.frame))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRequest(%s) = %v, want an error containing %q", c.frame, err, c.want)
		}
	}
	if err := Validate(Frame(0, ActionRun, DevRGBLED, make([]byte, 45)...)); err != nil {
		t.Errorf("a 51-byte frame: %v, want valid", err)
	}
	if err := Validate(Frame(0, ActionRun, DevRGBLED, make([]byte, 46)...)); err == nil {
		t.Errorf("a 52-byte frame is valid, want an error (the firmware drops it)")
	}
}

func TestWiring(t *testing.T) {
	for _, w := range []Wiring{{}, {InvertLeft: true}, {InvertRight: true}, {true, true}} {
		for _, lr := range [][2]int{{100, 100}, {-30, 200}, {0, -255}} {
			m1, m2 := w.Raw(lr[0], lr[1])
			if l, r := w.Wheels(m1, m2); l != lr[0] || r != lr[1] {
				t.Errorf("%+v: Wheels(Raw(%d,%d)) = %d,%d", w, lr[0], lr[1], l, r)
			}
		}
	}
	// A left motor wired the other way round runs forward on a positive M1.
	if got, want := (Wiring{InvertLeft: true}).Drive(0, 100, 100), unhex(t, "ff 55 07 00 02 05 64 00 64 00"); !bytes.Equal(got, want) {
		t.Errorf("inverted left, forward 100: % x, want % x", got, want)
	}
}

func TestIndexer(t *testing.T) {
	var x Indexer
	seen := map[byte]int{}
	for range 2 * 251 {
		i := x.Next()
		if ReservedIndex(i) || i == 0 || i == 0xff {
			t.Fatalf("Indexer gave reserved index %#02x", i)
		}
		seen[i]++
	}
	if len(seen) != 251 {
		t.Errorf("Indexer used %d distinct indices over two cycles, want 251", len(seen))
	}
	for i, n := range seen {
		if n != 2 {
			t.Errorf("index %#02x used %d times in two cycles, want 2", i, n)
		}
	}
}

// TestDecoderLikeFirmware checks the quirks the firmware has and the virtual
// mBot must share.
func TestDecoderLikeFirmware(t *testing.T) {
	t.Run("lost byte swallows the next frame", func(t *testing.T) {
		a := Drive(0, 100, 100)
		lost := append(append([]byte(nil), a[:5]...), a[6:]...) // device byte lost
		var d RequestDecoder
		got := d.Feed(append(append(lost, Stop(0)...), Stop(0)...))
		// The damaged frame completes with the ff of the next one, with the
		// motor bytes read as the device: 9c. That ff then counts as the
		// previous byte, so the 55 after it starts a frame again and both
		// stops arrive intact.
		if len(got) != 3 || got[0].Device != 0x9c || !bytes.Equal(got[0].Data, []byte{0xff, 0x64, 0x00, 0xff}) ||
			!bytes.Equal(got[1].Encode(), Stop(0)) || !bytes.Equal(got[2].Encode(), Stop(0)) ||
			!bytes.Equal(got[0].Raw, append(lost, 0xff)) || !bytes.Equal(got[2].Raw, Stop(0)) {
			t.Fatalf("got %v, want the damaged frame (device 9c) and both stops", got)
		}
	})
	t.Run("over-long frame dropped", func(t *testing.T) {
		var d RequestDecoder
		long := Frame(0, ActionRun, DevRGBLED, make([]byte, 46)...)
		got := d.Feed(append(append(long, Stop(0)...), Start(2)...))
		if len(got) != 2 || !bytes.Equal(got[0].Encode(), Stop(0)) || !bytes.Equal(got[1].Encode(), Start(2)) {
			t.Fatalf("got %v, want only the stop and the start after a 52-byte frame", got)
		}
	})
	t.Run("55 ff inside a frame is data", func(t *testing.T) {
		var d RequestDecoder
		f := LED(0, PortBoard, Slot2, 0, 0xff, 0x55, 0xff)
		got := d.Feed(f)
		if len(got) != 1 || !bytes.Equal(got[0].Encode(), f) || !bytes.Equal(got[0].Raw, f) {
			t.Fatalf("got %v, want % x", got, f)
		}
	})
	t.Run("noise outside frames ignored", func(t *testing.T) {
		var d RequestDecoder
		got := d.Feed(append([]byte("\x00\x55\x0a\x0d junk "), Servo(3, Port1, Slot1, 90)...))
		if len(got) != 1 || got[0].Device != DevServo || got[0].Arg(2) != 90 {
			t.Fatalf("got %v", got)
		}
	})
}
