//go:build linux

package window

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// TestRobotOnAPortSaysWhatAnswered: with --robot serial:PORT, where a new
// mBot with its factory program answers on a pseudo-terminal, the robot
// panel says which robot and which firmware answered before R is pressed;
// R then draws on that robot without opening its port again (which would
// restart it), in the drawing's own order with --keep-order, as the panel
// says; C then steps on, from a port not in the list back to the virtual
// mBot.
func TestRobotOnAPortSaysWhatAnswered(t *testing.T) {
	v, port := factoryMBotOnPTY(t)
	ev := map[int]Events{}
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Robot: "serial:" + port, KeepOrder: true}, &script{events: ev})
	g.robotScale = 20
	var before, during string
	pressed := false
	run(t, &job{g: g, maxTicks: 20000, afterUpdate: func(tick int) bool {
		if g.robot == nil {
			title, detail, _ := g.pickStatus()
			if !pressed && strings.Contains(detail, "firmware") {
				before, pressed = title+" | "+detail, true
				ev[tick+1] = keys(ebiten.KeyR)
			}
			return false
		}
		if st := g.robot.state(); st == robot.StateDrawing && during == "" {
			pn := g.robot.panel()
			title, detail := pn.title, pn.detail
			during = title + " | " + detail
		}
		st := g.robot.state()
		return st == robot.StateDone || st == robot.StateStopped
	}})
	if !strings.Contains(before, port) || !strings.Contains(before, "mBot firmware 06.01.009") {
		t.Errorf("before R the panel said %q; want the port and the firmware", before)
	}
	if !strings.Contains(during, "own order") || !strings.Contains(during, "06.01.009") {
		t.Errorf("while drawing the panel said %q; want the order and the firmware", during)
	}
	p := g.robot.last
	if p.State != robot.StateDone || p.Reconnects != 0 || p.Resets != 0 {
		t.Errorf("robot %v, %d reconnects, %d restarts; want done without either", p.State, p.Reconnects, p.Resets)
	}
	if n := boots(v); n != 1 {
		t.Errorf("the robot's port was opened (and the robot restarted) %d times, want once", n)
	}
	g.nextRobot()
	if g.robotSpec() != "sim" {
		t.Errorf("C picked %q, want the virtual mBot", g.robotSpec())
	}
}

// The robot panel names each kind of robot in words.
func TestRobotName(t *testing.T) {
	for spec, want := range map[string]string{
		"sim":                      "the virtual mBot",
		"serial:/dev/ttyUSB0":      "/dev/ttyUSB0",
		"serial:COM3":              "COM3",
		"hid:/dev/hidraw2":         "the 2.4G dongle /dev/hidraw2",
		"hid:":                     "the 2.4G dongle",
		"ws://10.0.0.2:8765/robot": "ws://10.0.0.2:8765/robot",
	} {
		if got := robotName(spec); got != want {
			t.Errorf("robotName(%q) = %q, want %q", spec, got, want)
		}
	}
}

// TestRobotOnAPortStaysOpenBetweenRuns: with --robot serial:PORT, R twice
// (the second R as the panel says the first drawing is done) draws twice
// on a port opened once: the mBot restarts once, not at every R. C then
// lets the port go: another program can open it.
func TestRobotOnAPortStaysOpenBetweenRuns(t *testing.T) {
	v, port := factoryMBotOnPTY(t)
	ev := map[int]Events{}
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Robot: "serial:" + port}, &script{events: ev})
	g.robotScale = 20
	var runs []*robotRun // the runs R started, in order
	asked := 0           // R presses
	run(t, &job{g: g, maxTicks: 40000, afterUpdate: func(tick int) bool {
		if g.robot == nil {
			if _, detail, _ := g.pickStatus(); asked == 0 && strings.Contains(detail, "firmware") {
				asked++
				ev[tick+1] = keys(ebiten.KeyR)
			}
			return false
		}
		if len(runs) == 0 || runs[len(runs)-1] != g.robot {
			runs = append(runs, g.robot)
		}
		if st := g.robot.state(); st == robot.StateDone || st == robot.StateStopped {
			if len(runs) == 2 {
				return true
			}
			if asked == 1 {
				asked++
				ev[tick+1] = keys(ebiten.KeyR) // as soon as the panel says done
			}
		}
		return false
	}})
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	for i, r := range runs {
		if p := r.last; p.State != robot.StateDone || p.Reconnects != 0 || p.Resets != 0 {
			t.Errorf("run %d: robot %v, %d reconnects, %d restarts; want done without either", i+1, p.State, p.Reconnects, p.Resets)
		}
	}
	if n := boots(v); n != 1 {
		t.Errorf("two runs opened the robot's port (and restarted the robot) %d times, want once", n)
	}
	g.nextRobot()
	select {
	case <-runs[1].ended: // the run hands the link back, which C has let go
	case <-time.After(10 * time.Second):
		t.Fatal("the second run did not end")
	}
	l, err := link.OpenSerial(port, link.Options{})
	if err != nil {
		t.Fatalf("after C picked another robot, the port did not open: %v", err)
	}
	l.Close()
}

// boots counts the times the virtual mBot v restarted as its port opened:
// the handshake asks for the firmware once per boot banner it sees.
func boots(v *link.Virtual) int {
	n := 0
	for _, f := range v.Frames() {
		if link.HandshakeFrame(f.Frame) && f.Frame[3] == 0xfb {
			n++
		}
	}
	return n
}

// factoryMBotOnPTY starts a virtual mBot on the factory program, at 20
// times real speed, on a pseudo-terminal at the returned path (the test is
// skipped where there are none); it stops with the test.
func factoryMBotOnPTY(t *testing.T) (*link.Virtual, string) {
	t.Helper()
	v := link.NewVirtual(link.VirtualOptions{Boot: link.BootFactory, TimeScale: 20})
	t.Cleanup(func() { v.Close() })
	port := filepath.Join(t.TempDir(), "ttyMBOT")
	if _, err := v.StartPTY(port); err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	return v, port
}
