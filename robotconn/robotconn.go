// Package robotconn is the one way to reach a robot: Open turns a --robot
// spec into a Conn, and a Conn turns a program into a robot.Plotter that
// draws it. plot, calibrate, bridge and the window all reach their robot
// through it.
//
//	sim                    the virtual mBot, in this process
//	serial:PORT, a path    a robot on a serial port (USB cable, Bluetooth)
//	NAME:…                 a frame transport registered with package link
//	                       (link.RegisterScheme: the 2.4G dongle, Web Serial)
//	ws://HOST:PORT/robot   a robot another computer shares (`mbotdraw
//	                       bridge`), with ?token=T if the bridge has one
//
// Every robot but a bridge's is driven here by a robot.Driver over a frame
// link (package link); a bridge's robot is driven by the bridge, and the
// Plotter is its client (bridge.Remote), which sends moves. Package robot
// never imports package bridge; this package knows both.
package robotconn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"mbotdraw/bridge"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// Options tune Open. The zero value is a real robot in real time, and for
// sim a stock mBot at the paper's origin on a pseudo-terminal.
type Options struct {
	// Calibration is the virtual mBot's physical model for sim (zero:
	// robot.DefaultCalibration).
	Calibration robot.Calibration
	// Home is where the virtual mBot starts, for sim.
	Home robot.Pose
	// TimeScale K makes a virtual mBot's time run K times faster than real
	// time (0: 1). Other robots move in real time; a Driver for them still
	// divides its waits by K (for tests against a pseudo-terminal), and a
	// bridge's robot ignores it.
	TimeScale float64
	// Instant runs the virtual mBot as fast as the link allows, on a clock
	// that moves only when the driver waits (--time-scale max). Only for
	// sim: Open refuses it for any other robot (ErrInstantNeedsSim).
	Instant bool
	// SimPipe connects to the virtual mBot over an in-process pipe, without
	// a boot banner, instead of a pseudo-terminal through the serial code
	// under a stable name, which can be re-plugged after a lost link as a
	// real mBot's USB port can (the window uses the pipe; the commands the
	// pseudo-terminal, where the system has them).
	SimPipe bool
	// OnSimDial, if set (by tests), runs after every successful connection
	// to the virtual mBot, with the connection's count from 1. A new
	// connection clears the robot's faults, so tests put faults on here.
	OnSimDial func(v *link.Virtual, dial int)
	// Bridge tunes the client of a ws:// robot: batching, compression, the
	// round trips measured.
	Bridge bridge.ClientOptions
	// SimBoot is how the virtual mBot starts each time its port opens and
	// how fast it answers (zero: link.BootMBlock, the mBlock firmware
	// behind a 1 s bootloader, in robot time: K times faster at TimeScale K).
	SimBoot link.BootProfile
	// OnBoard, if set, receives what the board told each time its link is
	// opened: its firmware version (see link.Board). It runs on the
	// goroutine that dials.
	OnBoard func(link.Board)
	// Keep keeps a robot's link open when a run ends with it healthy, for
	// the next Plotter (the window: opening a USB port restarts an mBot, 2
	// to 3 s each R otherwise). A lost link is closed and the next dial
	// opens the port again; Close closes a kept link.
	Keep bool
}

// ErrInstantNeedsSim is Open's answer to Options.Instant for a robot that
// is not the virtual mBot.
var ErrInstantNeedsSim = errors.New("--time-scale max needs --robot sim: a real robot moves in real time")

// ErrUnknownKind marks a spec NAME://… that names no kind of robot: not a
// bridge, and no frame transport registered as NAME.
var ErrUnknownKind = errors.New("unknown kind of robot")

// kindError is an ErrUnknownKind for one spec.
type kindError struct{ spec string }

func (e *kindError) Error() string {
	kinds := "sim, serial:PORT (or a port path), ws://HOST:PORT/robot (a bridge)"
	for _, k := range link.Schemes() {
		kinds += ", " + k + ":…"
	}
	return fmt.Sprintf("robot %q: no such kind of robot; want %s", e.spec, kinds)
}

func (e *kindError) Is(target error) bool { return target == ErrUnknownKind }

// Conn is the robot a spec names, ready to draw programs. Nothing is
// dialled before a Plotter runs (a serial port is opened then, and again
// after a lost link), except the virtual mBot, which Open starts. Close it
// when done.
type Conn struct {
	spec      string
	url       string // for a bridge: spec (nil dial)
	dial      robot.DialFunc
	sim       *link.Virtual
	clock     robot.Clock
	timeScale float64
	bridgeOpt bridge.ClientOptions
	cleanup   func()
	onBoard   func(link.Board)

	keep bool

	mu     sync.Mutex
	board  link.Board
	kept   io.ReadWriteCloser // opened by Probe or released by a run, for the next dial
	closed bool
}

// Open prepares the robot named by spec (see the package doc).
func Open(spec string, o Options) (*Conn, error) {
	k := o.TimeScale
	if !(k > 0) {
		k = 1
	}
	c := &Conn{spec: spec, timeScale: k, bridgeOpt: o.Bridge, onBoard: o.OnBoard, keep: o.Keep}
	defer func() {
		if c.dial != nil {
			c.dial = c.noting(c.dial)
		}
	}()
	switch {
	case spec == "":
		return nil, errors.New("no robot named: want sim, serial:PORT (or a port path) or ws://HOST:PORT/robot")
	case spec != "sim" && o.Instant:
		return nil, ErrInstantNeedsSim
	case bridge.IsURL(spec):
		c.url, c.timeScale = spec, 1 // the bridge's robot keeps its own time
		return c, nil
	case spec == "sim":
		return c, c.openSim(o)
	case link.Check(spec) != nil:
		return nil, &kindError{spec}
	}
	c.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
		return link.OpenWith(spec, link.Options{})
	}
	return c, nil
}

// openSim starts the virtual mBot and the clock it shares with the driver:
// a paced clock at K (exact at any K: the robot sees each frame at the
// very robot time the driver meant) or, Instant, a manual one.
func (c *Conn) openSim(o Options) error {
	var clock robot.Clock
	if o.Instant {
		clock = &link.ManualClock{}
	} else {
		clock = link.NewPacedClock(c.timeScale)
	}
	c.clock = clock
	cal := o.Calibration
	if cal == (robot.Calibration{}) {
		cal = robot.DefaultCalibration()
	}
	v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), Clock: clock, NoBanner: o.SimPipe, Boot: o.SimBoot,
		Start: o.Home})
	c.sim = v
	dials := 0
	hook := func() {
		dials++
		if o.OnSimDial != nil {
			o.OnSimDial(v, dials)
		}
	}
	c.cleanup = func() { v.Close() }
	if o.SimPipe {
		c.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
			l, err := link.OpenWith("sim", link.Options{Sim: v})
			if err == nil {
				hook()
			}
			return l, err
		}
		return nil
	}
	// The virtual mBot answers on a pseudo-terminal, through the same serial
	// code as a real one, under a stable name so that it can "replug".
	dir, err := os.MkdirTemp("", "mbotdraw-sim-")
	if err != nil {
		v.Close()
		return fmt.Errorf("virtual mBot: %w", err)
	}
	c.cleanup = func() {
		v.Close()
		os.RemoveAll(dir)
	}
	port := filepath.Join(dir, "ttyMBOT")
	usePTY := true
	if _, err := v.StartPTY(port); err != nil {
		usePTY = false // no pseudo-terminals here: an in-process pipe will do
	}
	c.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
		var l link.Link
		var err error
		if usePTY {
			if dials > 0 {
				// A re-dial after a lost link: plug the robot in again,
				// which resets it as reopening a real mBot's USB port does
				// (the motors stop; a hung board answers again).
				if _, err := v.StartPTY(port); err != nil {
					return nil, err
				}
			}
			l, err = link.OpenSerial(port, link.Options{})
		} else {
			l, err = link.OpenWith("sim", link.Options{Sim: v})
		}
		if err != nil {
			return nil, err
		}
		hook()
		return l, nil
	}
	return nil
}

// Plotter returns what draws prog on the robot: a robot.Driver over the
// frame link, with o's options and the Conn's clock and time scale, or
// for a bridge its client (bridge.Remote), which uses o.OnProgress and
// o.Reconnect (how long a lost bridge, or the bridge's lost robot, is waited
// for) only. Each Plotter is run once; a Conn makes any number, one after
// another.
func (c *Conn) Plotter(prog *robot.Program, o robot.DriverOptions) robot.Plotter {
	if c.dial == nil {
		bo := c.bridgeOpt
		switch {
		case o.Reconnect > 0:
			bo.RetryFor = o.Reconnect
		case o.Reconnect < 0:
			bo.RetryFor = time.Millisecond // give up at once
		}
		return bridge.NewRemote(c.url, prog, bo, o.OnProgress)
	}
	o.TimeScale, o.Clock = c.timeScale, c.clock
	return robot.NewDriver(prog, c.dial, o)
}

// Dial returns the frame link's dial function, for a driver that builds its
// programs as it goes (the bridge's own robot), or nil for a bridge's
// robot, which takes moves, not frames.
func (c *Conn) Dial() robot.DialFunc { return c.dial }

// Bridge reports whether the robot is another computer's bridge (ws://).
func (c *Conn) Bridge() bool { return c.dial == nil }

// Clock returns the robot time a driver of this robot must use (nil: real
// time scaled by TimeScale): for sim, the clock the virtual mBot reads.
func (c *Conn) Clock() robot.Clock { return c.clock }

// TimeScale returns K (1 for --time-scale max and for a bridge).
func (c *Conn) TimeScale() float64 { return c.timeScale }

// Sim returns the virtual mBot for sim, or nil.
func (c *Conn) Sim() *link.Virtual { return c.sim }

// Spec returns the spec Open was given.
func (c *Conn) Spec() string { return c.spec }

// String names the robot for people: "virtual mBot", the serial port,
// "mBot on a USB cable" for Web Serial, or the bridge's address without its
// token.
func (c *Conn) String() string {
	switch {
	case c.sim != nil:
		return "virtual mBot"
	case c.dial == nil:
		return bridge.WithoutToken(c.url)
	case c.spec == link.WebSerialSpec:
		return "mBot on a USB cable"
	}
	return c.spec
}

// noting wraps dial: a link Probe kept is handed out first, and each link
// opened tells its board to Board and OnBoard.
func (c *Conn) noting(dial robot.DialFunc) robot.DialFunc {
	return func(ctx context.Context) (io.ReadWriteCloser, error) {
		c.mu.Lock()
		kept := c.kept
		c.kept = nil
		c.mu.Unlock()
		if kept != nil {
			return kept, nil
		}
		rw, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		b, ok := rw.(link.Boarder)
		if ok {
			c.mu.Lock()
			c.board = b.Board()
			c.mu.Unlock()
			if c.onBoard != nil {
				c.onBoard(b.Board())
			}
		}
		if bl, isBoardLink := rw.(boardLink); c.keep && isBoardLink {
			return &keptLink{boardLink: bl, c: c}, nil
		}
		return rw, nil
	}
}

// keptLink is a link of a Conn with Options.Keep: a run that ends with it
// healthy releases it (robot.Releaser) into the Conn, for the next dial.
type keptLink struct {
	boardLink
	c *Conn
}

// boardLink is a link that tells its board (a serial port's, a virtual
// mBot's): the links a Conn keeps.
type boardLink interface {
	link.Link
	link.Boarder
}

// Release keeps the link open for the Conn's next dial, or closes it when
// the Conn is closed.
func (k *keptLink) Release() {
	c := k.c
	c.mu.Lock()
	old := c.kept
	keep := !c.closed
	if keep {
		c.kept = k
	}
	c.mu.Unlock()
	if old != nil && old != io.ReadWriteCloser(k) {
		old.Close()
	}
	if !keep {
		k.Close()
	}
}

// Probe opens the robot's link now, as a Plotter would, to learn its board
// before anything is drawn (the window shows the firmware before R is
// pressed). The link stays open for the next Plotter's first dial: opening
// a USB port restarts an mBot, and once is enough. A bridge's robot has no
// board to probe (zero Board, nil error).
func (c *Conn) Probe(ctx context.Context) (link.Board, error) {
	if c.dial == nil {
		return link.Board{}, nil
	}
	rw, err := c.dial(ctx)
	if err != nil {
		return link.Board{}, err
	}
	c.mu.Lock()
	old := c.kept
	c.kept = rw
	b := c.board
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return b, nil
}

// Board returns what the board told the last time its link was opened
// (zero before, and for a bridge's robot).
func (c *Conn) Board() link.Board {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.board
}

// Close stops the virtual mBot (for sim) and frees what Open made. A
// Plotter still running goes on to fail as if its robot were unplugged.
func (c *Conn) Close() error {
	c.mu.Lock()
	kept := c.kept
	c.kept = nil
	c.closed = true
	c.mu.Unlock()
	if kept != nil {
		kept.Close()
	}
	if c.cleanup != nil {
		c.cleanup()
		c.cleanup = nil
	}
	return nil
}
