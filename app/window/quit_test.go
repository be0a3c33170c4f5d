package window

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/bridge/wire"
)

// Issue 11: Ctrl+C and SIGTERM stop a drawing robot and close the window.
// The real program gets a long stroke from its companion page with the
// robot switch on, so that the virtual mBot draws it; mid-way it gets the
// signal. It must quit with status 0, say that the robot stopped with its
// pen lifted (read from the virtual mBot: pen up, wheels still), write its
// --screenshot whole, and leave no temporary file behind.
func TestSignalsStopTheRobot(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
	}{
		{"SIGTERM", syscall.SIGTERM},
		{"Ctrl+C", syscall.SIGINT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeOneStroke(t, dir)
			shot := filepath.Join(dir, "last.png")
			p := startProgram(t, dir, "play", file, "--listen", "127.0.0.1:0", "--verbose", "--size", "640x400",
				"--out-dir", dir, "--screenshot", shot)
			url := p.waitMatch(t, regexp.MustCompile(`http://127\.0\.0\.1:\d+/`), 3*time.Minute)
			c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(url, "http")+"live", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A zigzag across the page: the robot takes minutes over it.
			var pts [][3]float64
			for i := range 40 {
				x := 40.0
				if i%2 == 1 {
					x = 600
				}
				pts = append(pts, [3]float64{x, 40 + float64(i)*10, float64(i) * 50})
			}
			if err := c.WriteJSON(wire.Message{Type: wire.TypePad, Stroke: 0, Color: "#1e88e5", Width: 4, Points: pts, End: true, Robot: true}); err != nil {
				t.Fatal(err)
			}
			p.waitLine(t, "robot (virtual mBot): drawing", 2*time.Minute)
			time.Sleep(time.Second)
			p.cmd.Process.Signal(tc.sig)
			if code := p.wait(t, 2*time.Minute); code != 0 {
				t.Errorf("exit status %d, want 0; it said:\n%s", code, p.output())
			}
			out := p.output()
			t.Logf("the program said:\n%s", out)
			if !strings.Contains(out, "stopped the robot (virtual mBot) with its pen lifted") {
				t.Errorf("the terminal does not say the robot stopped with its pen lifted; it said:\n%s", out)
			}
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("--screenshot: %v", err)
			}
			defer f.Close()
			if _, err := png.Decode(f); err != nil {
				t.Errorf("--screenshot is not a whole PNG: %v", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if n := e.Name(); n != "one.mbd.json" && n != "last.png" {
					t.Errorf("left behind in the output folder: %s", n)
				}
			}
		})
	}
}

// Ctrl+Q quits like the close button, and a robot that is drawing stops
// with its pen lifted.
func TestCtrlQStopsTheRobotAndQuits(t *testing.T) {
	s := &script{events: map[int]Events{3: keys(ebiten.KeyR)}}
	g := newTestGame(t, config.Window{Drawing: smallDrawing()}, s)
	quitAt := 0
	run(t, &job{g: g, maxTicks: 3000, afterUpdate: func(tick int) bool {
		if quitAt == 0 && g.robot != nil && g.robot.state().String() == "drawing" {
			quitAt = tick + 1
			s.events[quitAt] = Events{Keys: []KeyPress{{Key: ebiten.KeyQ, Ctrl: true}}}
		}
		return false
	}})
	if quitAt == 0 {
		t.Fatal("the robot never drew")
	}
	line := g.stopRobotAtExit()
	if !strings.Contains(line, "stopped the robot (virtual mBot) with its pen lifted") {
		t.Errorf("at exit: %q", line)
	}
	if g.robot.sim.PenDown() {
		t.Error("the virtual mBot's pen is down after Ctrl+Q")
	}
	g.finish()
}

// TestExitWithFilesStillLoading: files chosen with Browse… and dropped, in
// a burst, are read in the background while the window closes; the exit
// does not wait on the loop, which no longer takes them.
func TestExitWithFilesStillLoading(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.mbd.json")
	if err := os.WriteFile(file, []byte(pickerDrawing), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir() // a zenity that chooses the file at once
	if err := os.WriteFile(filepath.Join(bin, "zenity"), []byte("#!/bin/sh\nprintf '%s\\n' '"+file+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	g := newTestGame(t, config.Window{Drawing: smallDrawing()}, &script{})
	for i := range 2 * cap(g.loads) {
		g.browse()
		g.drop(DroppedFile{Name: fmt.Sprintf("drop%d.mbd.json", i), Data: []byte(pickerDrawing)})
	}
	for g.loading > 0 && len(g.loads) < cap(g.loads) {
		time.Sleep(10 * time.Millisecond) // until the loop would be behind
	}
	done := make(chan error, 1)
	go func() { done <- g.finish() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the window did not finish with files still loading")
	}
}
