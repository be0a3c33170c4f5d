//go:build linux

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// withSimBoot sets how the virtual mBot boots, for the test.
func withSimBoot(t *testing.T, b link.BootProfile) {
	t.Helper()
	simBoot = b
	t.Cleanup(func() { simBoot = link.BootProfile{} })
}

// plot of a real Quick, Draw! drawing on a virtual mBot that boots as each
// real firmware does (1 s bootloader, then the firmware's set-up), over a
// real pseudo-terminal, in time scaled by 50: it completes, the first
// frame is acknowledged (nothing timed out), the robot never seems to
// restart or reconnect, and it received the dry run's frames, apart from
// the handshake's version requests.
func TestPlotWaitsForTheBoardToStart(t *testing.T) {
	dir := t.TempDir()
	dry := filepath.Join(dir, "dry.jsonl")
	if _, e, st := robotCmd(t, "", "plot", catFile, "--dry-run", "--log", dry); st != 0 {
		t.Fatal(e)
	}
	want := readLog(t, dry)
	for _, prof := range []link.BootProfile{link.BootMBlock, link.BootFactory} {
		t.Run(prof.Name, func(t *testing.T) {
			withSimBoot(t, prof)
			var sim *link.Virtual
			dials := 0
			withSimHook(t, func(v *link.Virtual, n int) { sim, dials = v, n })
			run := filepath.Join(dir, "run.jsonl")
			_, e, st := robotCmd(t, "", "plot", catFile, "--robot", "sim", "--time-scale", "50", "--log", run)
			if st != 0 {
				t.Fatalf("status %d: %s", st, e)
			}
			if strings.Contains(e, "restarted") || strings.Contains(e, "lost") || dials != 1 {
				t.Errorf("%d connections; stderr:\n%s", dials, e)
			}
			got := programFrames(sim.Frames())
			if len(got) != len(want) {
				t.Fatalf("robot received %d frames, dry run planned %d", len(got), len(want))
			}
			for i := range want {
				wb, _ := hexBytes(want[i].Hex)
				if string(got[i].Frame) != string(wb) {
					t.Fatalf("frame %d: robot got %s, planned %s", i, mblock.Describe(got[i].Frame), mblock.Describe(wb))
				}
			}
			if a, b := mustRead(t, dry), mustRead(t, run); string(a) != string(b) {
				t.Error("frames sent differ from the dry run's log")
			}
		})
	}
}

// rawPort returns the slave of a raw pseudo-terminal whose master answers
// each chunk the host writes with answer's bytes.
func rawPort(t *testing.T, answer []byte) string {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	go func() {
		buf := make([]byte, 256)
		for {
			if _, err := master.Read(buf); err != nil {
				return
			}
			if len(answer) > 0 {
				master.Write(answer)
			}
		}
	}()
	return slave.Name()
}

// A port where no mBot is: nothing answers (a switched-off robot, a spare
// serial port), or something else does. plot says so in a sentence about
// the robot once that can be told, with exit status 1 and no hex on
// stderr, long before the 30 s of reconnecting.
func TestPlotOnAPortWithoutAnMBot(t *testing.T) {
	tests := []struct {
		name   string
		answer []byte
		want   string
	}{
		{"nothing answers", nil, "no mBot answered"},
		{"another device chatters", []byte("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"), "not like an mBot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port := rawPort(t, tc.answer)
			start := time.Now()
			_, e, st := robotCmd(t, "", "plot", catFile, "--robot", "serial:"+port)
			el := time.Since(start)
			t.Logf("%s: told after %v", tc.name, el.Round(10*time.Millisecond))
			if st != 1 || !strings.Contains(e, tc.want) || !strings.Contains(e, port) {
				t.Fatalf("status %d, stderr %q; want 1 and %q naming the port", st, e, tc.want)
			}
			if strings.Contains(strings.ToLower(e), "ff 55") || strings.Contains(e, "ff55") || strings.Count(e, "\n") != 1 {
				t.Errorf("want one line of plain words, got %q", e)
			}
			if el > 20*time.Second {
				t.Errorf("took %v to tell", el)
			}
		})
	}
}

// The firmware is named when the port opens; for the factory program a
// new mBot ships with, plot says what that means.
func TestPlotNamesTheFirmware(t *testing.T) {
	v := link.NewVirtual(link.VirtualOptions{Boot: link.BootFactory, TimeScale: 20})
	defer v.Close()
	port := filepath.Join(t.TempDir(), "ttyMBOT")
	if _, err := v.StartPTY(port); err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	f := filepath.Join(t.TempDir(), "dot.mbd.json")
	os.WriteFile(f, []byte(`{"format":"mbotdraw","version":1,"width":100,"height":100,"strokes":[{"points":[[10,10],[20,10]]}]}`), 0o644)
	_, e, st := robotCmd(t, "", "plot", f, "--robot", "serial:"+port, "--time-scale", "20")
	if st != 0 {
		t.Fatalf("status %d: %s", st, e)
	}
	if !strings.Contains(e, "mBot firmware 06.01.009 (the factory program") || !strings.Contains(e, "it draws") || !strings.Contains(e, port) {
		t.Errorf("stderr does not name the firmware and what it means:\n%s", e)
	}
}

// A calibration that puts the pen servo on a pin that is not a servo plug
// (the motors, the serial line, the LEDs) is refused before anything is
// sent, in one line naming the file and the field.
func TestPlotRefusesAServoOnTheWrongPins(t *testing.T) {
	dir := t.TempDir()
	for _, field := range []string{`"servo_port": 0`, `"servo_port": 5`, `"servo_port": 9`, `"servo_port": 10`, `"servo_slot": 3`} {
		t.Run(field, func(t *testing.T) {
			cal := filepath.Join(dir, "cal.json")
			os.WriteFile(cal, []byte("{"+field+"}"), 0o644)
			dials := 0
			withSimHook(t, func(*link.Virtual, int) { dials++ })
			_, e, st := robotCmd(t, "", "plot", catFile, "--robot", "sim", "--time-scale", "max", "--calibration", cal)
			name := strings.Trim(strings.SplitN(field, ":", 2)[0], `"`)
			if st != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, "cal.json") || !strings.Contains(e, name) || !strings.Contains(e, "1 to") {
				t.Errorf("status %d, stderr %q; want 1 and one line naming cal.json and %s", st, e, name)
			}
			if dials != 0 {
				t.Errorf("the robot was connected %d times", dials)
			}
		})
	}
}
