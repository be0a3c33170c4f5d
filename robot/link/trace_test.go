package link

import (
	"errors"
	"image/color"
	"strings"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"
)

func TestRender(t *testing.T) {
	tr := Trace{
		{Down: false, Points: []Point{{0, 0}, {10, 10}}},
		{Down: true, Points: []Point{{10, 10}, {50, 10}, {50, 30}}},
	}
	img := tr.Render(RenderOptions{Size: Point{60, 40}, Scale: 2, PenWidth: 1})
	if b := img.Bounds(); b.Dx() != 120 || b.Dy() != 80 {
		t.Fatalf("image %v, want 120x80 (60x40 mm at 2 px/mm)", b)
	}
	dark := func(x, y float64) bool { // mm
		c := img.RGBAAt(int(x*2), int(y*2))
		return c.R < 64 && c.G < 64 && c.B < 64
	}
	for _, p := range []Point{{30, 10}, {50, 20}, {10.3, 10}} {
		if !dark(p.X, p.Y) {
			t.Errorf("no ink at %v, on the stroke", p)
		}
	}
	for _, p := range []Point{{5, 5}, {30, 12}, {30, 20}, {55, 35}} {
		if c := img.RGBAAt(int(p.X*2), int(p.Y*2)); c != (color.RGBA{255, 255, 255, 255}) {
			t.Errorf("ink %v at %v, off the strokes (pen-up travel is not ink)", c, p)
		}
	}
	// Travel drawn on request, in light blue.
	img = tr.Render(RenderOptions{Size: Point{60, 40}, Scale: 2, Travel: true})
	if c := img.RGBAAt(10, 10); c.B != 255 || c.R > 200 {
		t.Errorf("travel pixel %v, want light blue", c)
	}
	// Zero options: the ink's bounds plus 5 mm at 4 px/mm.
	img = tr.Render(RenderOptions{})
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 120 {
		t.Errorf("default render %v, want 200x120", b)
	}
	if got := (Trace{}).Render(RenderOptions{}).Bounds(); got.Dx() != 40 {
		t.Errorf("empty trace renders %v", got)
	}
}

func TestPortInfos(t *testing.T) {
	got := portInfos([]*enumerator.PortDetails{
		{Name: "/dev/ttyS0"},
		{Name: "/dev/ttyUSB1", IsUSB: true, VID: "0403", PID: "6001", Product: "FT232R"},
		{Name: "/dev/ttyUSB0", IsUSB: true, VID: "1a86", PID: "7523", Product: "USB Serial"},
		nil,
	})
	if len(got) != 3 || got[0].Name != "/dev/ttyUSB0" || !got[0].LikelyMBot || got[1].LikelyMBot || got[2].LikelyMBot {
		t.Fatalf("ports %+v, want the CH340 first and marked, alone", got)
	}
	if s := got[0].String(); !strings.Contains(s, "1A86:7523") || !strings.Contains(s, "likely mBot") {
		t.Errorf("String() = %q", s)
	}
	if _, err := Ports(); err != nil {
		t.Errorf("Ports: %v", err) // an empty list is fine; an error is not
	}
}

func TestPipe(t *testing.T) {
	a, b := newPipe("host", "robot")
	a.SetReadTimeout(10 * time.Millisecond)
	if _, err := a.Read(make([]byte, 4)); !errors.Is(err, ErrTimeout) || err.Error() != "host: read timed out: i/o timeout" {
		t.Errorf("quiet pipe: %v", err)
	}
	b.Write([]byte("abc"))
	b.Close()
	buf := make([]byte, 2)
	if n, err := a.Read(buf); n != 2 || err != nil {
		t.Errorf("read = %d, %v", n, err)
	}
	if n, err := a.Read(buf); n != 1 || err != nil || buf[0] != 'c' {
		t.Errorf("buffered data after hang-up: %d %q, %v", n, buf[:n], err)
	}
	if _, err := a.Read(buf); !errors.Is(err, ErrLost) {
		t.Errorf("read after hang-up: %v, want ErrLost", err)
	}
	if _, err := a.Write(buf); !errors.Is(err, ErrLost) {
		t.Errorf("write after hang-up: %v, want ErrLost", err)
	}
	a.Close()
	if _, err := a.Read(buf); !errors.Is(err, ErrClosed) {
		t.Errorf("read after Close: %v, want ErrClosed", err)
	}
}
