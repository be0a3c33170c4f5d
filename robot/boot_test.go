//go:build linux

package robot

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// bootRun is what a driver run against a booting virtual mBot saw.
type bootRun struct {
	prog     *Program
	err      error
	frames   []link.Received // what the robot received, less the handshake
	firstAck time.Duration   // from opening the port to the first ack

	mu                sync.Mutex
	opened            time.Time
	opens, reconnects int
	timeouts, resets  int
	firstAckSeen      bool
}

// runBooting drives a short program (pen up, pen down, a 20 mm line, pen
// up) in real time over a real pseudo-terminal to a virtual mBot that boots
// by prof, opening the port with bootWait (negative: without waiting for
// the board), and the driver's default ack timeout.
func runBooting(t *testing.T, prof link.BootProfile, bootWait time.Duration) *bootRun {
	t.Helper()
	cal := DefaultCalibration()
	prog, err := NewProgram([]Motion{{Kind: PenUp}, {Kind: PenDown}, {Kind: Drive, Distance: 20}, {Kind: PenUp}}, Pose{}, cal)
	if err != nil {
		t.Fatal(err)
	}
	v := link.NewVirtual(link.VirtualOptions{Boot: prof, Model: cal.VirtualModel()})
	t.Cleanup(func() { v.Close() })
	port := filepath.Join(t.TempDir(), "ttyMBOT")
	if _, err := v.StartPTY(port); err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	r := &bootRun{prog: prog}
	dial := func(ctx context.Context) (io.ReadWriteCloser, error) {
		r.mu.Lock()
		r.opened = time.Now()
		r.opens++
		r.mu.Unlock()
		return link.OpenSerial(port, link.Options{BootWait: bootWait})
	}
	o := DriverOptions{
		OnTraffic: func(tr Traffic) {
			r.mu.Lock()
			defer r.mu.Unlock()
			switch tr.Kind {
			case TrafficAck:
				if !r.firstAckSeen {
					r.firstAckSeen, r.firstAck = true, time.Since(r.opened)
				}
			case TrafficTimeout:
				r.timeouts++
			case TrafficReset:
				r.resets++
			case TrafficReconnect:
				r.reconnects++
			}
		},
	}
	r.err = NewDriver(prog, dial, o).Run(context.Background())
	for _, f := range v.Frames() {
		if !link.HandshakeFrame(f.Frame) {
			r.frames = append(r.frames, f)
		}
	}
	return r
}

// The driver against each real boot, in real time, over a pseudo-terminal:
// it waits for the board rather than a fixed time, the first frame is
// acknowledged, nothing restarts or reconnects, and the robot receives the
// program's frames, no more and no fewer. Also when the port is opened
// without the handshake: the boot banner that comes while the first frame
// is in flight is the board starting, not a restart.
func TestDriverWaitsForTheBoardToStart(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the virtual mBot in real time (about 10 s)")
	}
	for _, prof := range []link.BootProfile{link.BootMBlock, link.BootFactory} {
		for _, bw := range []time.Duration{0, -1} {
			if bw < 0 && prof.Name != link.BootFactory.Name {
				continue // the slower boot is enough
			}
			name := prof.Name + "/handshake"
			if bw < 0 {
				name = prof.Name + "/no handshake"
			}
			t.Run(name, func(t *testing.T) {
				r := runBooting(t, prof, bw)
				if r.err != nil {
					t.Fatalf("run: %v", r.err)
				}
				t.Logf("%s: %v from opening the port to the first acknowledged frame", name, r.firstAck.Round(time.Millisecond))
				if r.firstAck < prof.ReadyAfter() {
					t.Errorf("first ack %v after opening, before the board can listen (%v)", r.firstAck, prof.ReadyAfter())
				}
				if r.timeouts != 0 && bw >= 0 || r.resets != 0 || r.reconnects != 0 || r.opens != 1 {
					t.Errorf("%d timeouts, %d restarts, %d reconnects, %d opens; want none and one open", r.timeouts, r.resets, r.reconnects, r.opens)
				}
				if len(r.frames) != len(r.prog.Frames) {
					t.Fatalf("robot received %d frames, program has %d", len(r.frames), len(r.prog.Frames))
				}
				for i, f := range r.prog.Frames {
					if !bytes.Equal(r.frames[i].Frame, f.Bytes) {
						t.Fatalf("frame %d: robot got %s, program has %s", i, mblock.Describe(r.frames[i].Frame), mblock.Describe(f.Bytes))
					}
				}
			})
		}
	}
}

// Slow replies: a tone is acked only when it has played, 1.28 s for a
// 1 s tone, well past the 500 ms ack timeout; that is not a lost robot.
func TestDriverWaitsForSlowReplies(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a 1 s tone in real time")
	}
	v := link.NewVirtual(link.VirtualOptions{Boot: link.BootMBlock, TimeScale: 1})
	defer v.Close()
	l, err := link.OpenWith("sim", link.Options{Sim: v})
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := NewProgram(nil, Pose{}, DefaultCalibration())
	d := NewDriver(prog, nil, DriverOptions{})
	d.conn = d.newConn(l)
	defer d.conn.close()
	start := time.Now()
	if _, err := d.send(context.Background(), mblock.Tone(0, 500, 1000)); err != nil {
		t.Fatalf("tone: %v", err)
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("tone acked after %v, before it ended", el)
	}
}
