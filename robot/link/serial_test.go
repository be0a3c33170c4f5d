//go:build linux

package link

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"mbotdraw/robot/mblock"
)

// ptyRobot starts a virtual mBot on a real pseudo-terminal.
func ptyRobot(t *testing.T, o VirtualOptions) (*Virtual, *ManualClock, string) {
	t.Helper()
	clk := &ManualClock{}
	o.Clock = clk
	v := NewVirtual(o)
	t.Cleanup(func() { v.Close() })
	path, err := v.StartPTY("")
	if err != nil {
		t.Fatal(err)
	}
	return v, clk, path
}

func openHost(t *testing.T, spec string) (*Serial, *host) {
	t.Helper()
	l, err := Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.(*Serial), newHost(t, l)
}

// TestSerialDrawsOverPTY is the serial path end to end: go.bug.st/serial
// opens the pseudo-terminal's slave, the banner is skipped, the virtual
// mBot on the master acks, the pen goes down and the robot drives 100 mm.
func TestSerialDrawsOverPTY(t *testing.T) {
	v, clk, path := ptyRobot(t, VirtualOptions{})
	s, h := openHost(t, "serial:"+path)
	if s.Banner() != "Version: 06.01.107" {
		t.Errorf("banner %q, want the firmware's", s.Banner())
	}
	if rep := h.send(mblock.Version(0xfa)); rep.Text != "06.01.107" || rep.Index != 0xfa {
		t.Errorf("version reply %v", rep)
	}
	if rep := h.send(mblock.Ultrasonic(3, mblock.Port3)); rep.Number != 400 {
		t.Errorf("ultrasonic reply %v, want 400", rep)
	}
	h.ack(mblock.Servo(0, 1, 1, 90))
	if !v.PenDown() {
		t.Fatal("the servo frame did not lower the pen")
	}
	drive(h, clk, 120, 120, time.Second) // 100 mm/s for 1 s
	h.ack(mblock.Servo(0, 1, 1, 160))
	drive(h, clk, 120, 120, 500*time.Millisecond)
	tr := v.Trace()
	if got := tr.Length(true); !near(got, 100, 1e-9) {
		t.Errorf("ink %v mm, want 100", got)
	}
	if got := tr.Length(false); !near(got, 50, 1e-9) {
		t.Errorf("travel %v mm, want 50", got)
	}
	if h.r.Garbage() != 0 {
		t.Errorf("%d garbage bytes: the banner was not skipped", h.r.Garbage())
	}
	// Opened through a bare path too, after the first is closed: the board
	// restarts and answers again.
	s.Close()
	l2, err := OpenWith(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	newHost(t, l2).ack(mblock.Stop(0))
}

// fakeBoard answers on a raw pseudo-terminal's master as script says: it
// gets each chunk the host wrote and returns what to write back.
func fakeBoard(t *testing.T, script func(got []byte) []byte) string {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	if err := makeRaw(slave); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := master.Read(buf)
			if err != nil {
				return
			}
			if out := script(buf[:n]); len(out) > 0 {
				master.Write(out)
			}
		}
	}()
	return slave.Name()
}

// TestHandshake: what opening a port makes of what answers on it.
func TestHandshake(t *testing.T) {
	version := func(idx byte, v string) []byte {
		return mblock.Reply{Kind: mblock.Value, Index: idx, Type: mblock.TypeString, Text: v}.Encode()
	}
	noise := bytes.Repeat([]byte("$GPGGA,123519,4807.038,N*47\r\n"), 4)
	tests := []struct {
		name    string
		script  func(got []byte) []byte
		wantErr error
		want    Board
	}{
		{"bluetooth: no restart, the version answered at once", func(got []byte) []byte { return version(got[3], "06.01.107") },
			nil, Board{Version: "06.01.107"}},
		{"restarted: noise, the banner, then the answer", func() func([]byte) []byte {
			n := 0
			return func(got []byte) []byte {
				if n++; n == 1 {
					return []byte("\x00\xf0Version: 06.01.009\r\n")
				}
				return version(got[3], "06.01.009")
			}
		}(), nil, Board{Version: "06.01.009", Banner: "Version: 06.01.009"}},
		{"an old firmware that only prints its banner", func() func([]byte) []byte {
			n := 0
			return func(got []byte) []byte {
				if n++; n == 1 {
					return []byte("Version: 1.2.103\r\n")
				}
				return nil
			}
		}(), nil, Board{Version: "1.2.103", Banner: "Version: 1.2.103"}},
		{"nothing answers", func([]byte) []byte { return nil }, ErrNoAnswer, Board{}},
		{"another device chatters", func([]byte) []byte { return noise }, ErrNotMBot, Board{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := fakeBoard(t, tc.script)
			var l Link
			var err error
			within(t, 10*time.Second, "open", func() { l, err = OpenWith(path, Options{BootWait: 700 * time.Millisecond}) })
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.HasPrefix(err.Error(), "serial port "+path+": ") || strings.Contains(err.Error(), "ff 55") {
					t.Fatalf("open: %v, want %v naming the port, no hex", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			b := l.(Boarder).Board()
			b.Ready = 0
			if b != tc.want {
				t.Errorf("board %+v, want %+v", b, tc.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "ttyUSB9")
	_, err := Open("serial:" + missing)
	if want := "serial port " + missing + ": no such port"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("missing port: %v, want %q", err, want)
	}
	if !errors.Is(err, ErrNoPort) {
		t.Errorf("missing port: %v does not match ErrNoPort", err)
	}

	_, _, path := ptyRobot(t, VirtualOptions{})
	openHost(t, "serial:"+path)
	_, err = Open("serial:" + path)
	if !errors.Is(err, ErrBusy) || !strings.HasPrefix(err.Error(), "serial port "+path+": busy") {
		t.Errorf("second open: %v, want busy", err)
	}

	notTTY := filepath.Join(dir, "file")
	os.WriteFile(notTTY, nil, 0o600)
	if _, err := Open(notTTY); err == nil || !strings.HasPrefix(err.Error(), "serial port "+notTTY+": ") {
		t.Errorf("a plain file: %v, want an error naming it", err)
	}

	for spec, want := range map[string]string{
		"":            "empty spec",
		"ftp://x/y":   `unknown scheme "ftp"`,
		"serial:":     "empty path",
		"sim-nothing": "no such port",
	} {
		if _, err := Open(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q): %v, want an error containing %q", spec, err, want)
		}
	}
}

// TestPortVanishes: a port that goes away mid-stream ends a blocked read
// with ErrLost at once, and later writes fail the same way; nothing hangs.
func TestPortVanishes(t *testing.T) {
	v, _, path := ptyRobot(t, VirtualOptions{})
	_, h := openHost(t, "serial:"+path)
	h.ack(mblock.Drive(0, 100, 100))
	h.l.SetReadTimeout(0) // wait forever
	var err error
	within(t, 5*time.Second, "read on a vanished port", func() {
		go func() {
			time.Sleep(20 * time.Millisecond)
			v.Vanish()
		}()
		_, err = h.l.Read(make([]byte, 16))
	})
	if !isLost(err) || !strings.HasPrefix(err.Error(), "serial port "+path+": link lost") {
		t.Errorf("read: %v, want ErrLost naming the port", err)
	}
	within(t, 5*time.Second, "write on a vanished port", func() {
		_, err = h.l.Write(mblock.Stop(0))
	})
	if !isLost(err) {
		t.Errorf("write: %v, want ErrLost", err)
	}
	if l, r := v.Wheels(); l != 0 || r != 0 {
		t.Errorf("motors still running (%v, %v) after the link vanished", l, r)
	}
}

// TestReconnectPTY: the robot comes back under the same name, where it was.
func TestReconnectPTY(t *testing.T) {
	clk := &ManualClock{}
	v := NewVirtual(VirtualOptions{Clock: clk})
	defer v.Close()
	name := filepath.Join(t.TempDir(), "mbot")
	if _, err := v.StartPTY(name); err != nil {
		t.Fatal(err)
	}
	l1, err := Open("serial:" + name)
	if err != nil {
		t.Fatal(err)
	}
	h := newHost(t, l1)
	h.ack(mblock.Servo(0, 1, 1, 90))
	drive(h, clk, 120, 120, time.Second)
	v.Vanish()
	if _, err := h.try(mblock.Stop(0)); !isLost(err) {
		t.Fatalf("after vanishing: %v, want ErrLost", err)
	}
	l1.Close()
	if _, err := Open("serial:" + name); !errors.Is(err, ErrNoPort) {
		t.Fatalf("open while gone: %v, want ErrNoPort", err)
	}
	if _, err := v.StartPTY(name); err != nil {
		t.Fatal(err)
	}
	l2, err := Open("serial:" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	h2 := newHost(t, l2)
	h2.ack(mblock.Servo(0, 1, 1, 160))
	h2.ack(mblock.Servo(0, 1, 1, 90))
	drive(h2, clk, 120, 120, time.Second)
	if p := v.Pose(); !near(p.X, 200, 1e-9) {
		t.Errorf("pose %+v, want 200 mm from the start: the robot kept its place", p)
	}
	if n := len(v.Trace().Ink()); n != 2 {
		t.Errorf("%d ink paths, want 2", n)
	}
}

func TestReadTimeoutAndClose(t *testing.T) {
	_, _, path := ptyRobot(t, VirtualOptions{NoBanner: true})
	l, err := OpenWith("serial:"+path, Options{BootWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	l.SetReadTimeout(20 * time.Millisecond)
	_, err = l.Read(make([]byte, 8))
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("quiet line: %v, want ErrTimeout", err)
	}
	l.SetReadTimeout(0)
	within(t, 5*time.Second, "Close during a read", func() {
		go func() {
			time.Sleep(20 * time.Millisecond)
			l.Close()
		}()
		_, err = l.Read(make([]byte, 8))
	})
	if !errors.Is(err, ErrClosed) {
		t.Errorf("read during Close: %v, want ErrClosed", err)
	}
}

// TestPacedClockIsExact: host and robot share a PacedClock across a real
// pseudo-terminal; the moves come out exact although real time passes.
func TestPacedClockIsExact(t *testing.T) {
	clk := NewPacedClock(1000)
	v := NewVirtual(VirtualOptions{Clock: clk})
	defer v.Close()
	path, err := v.StartPTY("")
	if err != nil {
		t.Fatal(err)
	}
	_, h := openHost(t, "serial:"+path)
	ctx := context.Background()
	for i := range 4 {
		t0 := clk.Now()
		h.ack(mblock.Drive(0, 120, 120))
		clk.Sleep(ctx, t0+time.Second-clk.Now())
		h.ack(mblock.Stop(0))
		t0 = clk.Now()
		h.ack(mblock.Drive(0, 120, -120))
		clk.Sleep(ctx, t0+900*time.Millisecond-clk.Now())
		h.ack(mblock.Stop(0))
		if p := v.Pose(); !near(math.Remainder(p.Heading-float64(90*(i+1)), 360), 0, 1e-6) {
			t.Fatalf("side %d: heading %v", i, p.Heading)
		}
	}
	if p := v.Pose(); !near(p.X, 0, 1e-6) || !near(p.Y, 0, 1e-6) {
		t.Errorf("after a 100 mm square: %+v, want back at the origin", p)
	}
	if got := clk.Now(); got != 4*1900*time.Millisecond {
		t.Errorf("clock %v, want exactly 7.6 s", got)
	}
}

// TestStartPTYWhileConnected: StartPTY on a robot that is being served (a
// replug without an unplug first) keeps the new link under the old name,
// and the robot, reset by the replug, answers on it.
func TestStartPTYWhileConnected(t *testing.T) {
	clk := &ManualClock{}
	v := NewVirtual(VirtualOptions{Clock: clk})
	defer v.Close()
	name := filepath.Join(t.TempDir(), "mbot")
	first, err := v.StartPTY(name)
	if err != nil {
		t.Fatal(err)
	}
	l1, err := Open("serial:" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Close()
	h1 := newHost(t, l1)
	h1.ack(mblock.Drive(0, 120, 120))
	clk.Advance(time.Second)
	second, err := v.StartPTY(name)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(name); err != nil || got != second || got == first {
		t.Fatalf("link %s → %q (%v), want the new terminal %s", name, got, err, second)
	}
	if l, r := v.Wheels(); l != 0 || r != 0 {
		t.Errorf("wheels (%v, %v) after the replug, want stopped: opening the port resets the board", l, r)
	}
	l2, err := Open("serial:" + name)
	if err != nil {
		t.Fatalf("reopening the robot under its name: %v", err)
	}
	defer l2.Close()
	h2 := newHost(t, l2)
	h2.ack(mblock.Servo(0, 1, 1, 90))
	if !v.PenDown() {
		t.Error("the robot on the new terminal did not take the frame")
	}
	if p := v.Pose(); !near(p.X, 100, 1e-9) {
		t.Errorf("pose %+v, want 100 mm ahead: it drove until the replug", p)
	}
}

// TestVirtualBoots: the virtual mBot boots like the real board each time a
// host opens its port: a frame sent at once is lost in the bootloader, the
// banner comes when the firmware is ready (never before its profile's
// time), the handshake reads the version, and slow replies are as slow as
// the firmware's. Lower bounds only: a loaded machine makes things later,
// never earlier.
func TestVirtualBoots(t *testing.T) {
	const k = 8
	for _, prof := range []BootProfile{BootMBlock, BootFactory} {
		t.Run(prof.Name, func(t *testing.T) {
			v := NewVirtual(VirtualOptions{Boot: prof, TimeScale: k})
			defer v.Close()
			path, err := v.StartPTY("")
			if err != nil {
				t.Skipf("no pseudo-terminals: %v", err)
			}
			for open := 1; open <= 2; open++ {
				start := time.Now()
				l, err := OpenWith(path, Options{})
				if err != nil {
					t.Fatalf("open %d: %v", open, err)
				}
				b := l.(Boarder).Board()
				if b.Version != prof.Version || b.Banner != "Version: "+prof.Version {
					t.Errorf("open %d: board %+v, want version %s and its banner", open, b, prof.Version)
				}
				if el, min := time.Since(start), prof.ReadyAfter()/k; el < min {
					t.Errorf("open %d: ready after %v, before the board can be (%v)", open, el, min)
				}
				h := newHost(t, l)
				h.ack(mblock.Drive(0, 100, 100))
				sent := time.Now()
				h.ack(mblock.Tone(0, 500, 1000))
				if el, min := time.Since(sent), 1000*time.Millisecond/k; el < min {
					t.Errorf("tone acked after %v, before it ended (%v)", el, min)
				}
				l.Close()
			}
			// A frame sent the moment the port opens is lost: the board is
			// in its bootloader.
			l, err := OpenWith(path, Options{BootWait: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			before := len(v.Frames())
			l.Write(mblock.Stop(0))
			h := newHost(t, l)
			rep, err := h.r.Next()
			if err != nil || rep.Kind != mblock.Banner {
				t.Fatalf("first thing read %v (%v), want the banner, not an ack", rep, err)
			}
			if got := len(v.Frames()); got != before {
				t.Errorf("the board received %d frames while it started", got-before)
			}
			h.ack(mblock.Stop(0))
		})
	}
}
