package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// robotConn is a way to reach the robot named by --robot: a dial function
// the driver calls (again after a lost link), and for "sim" the virtual mBot
// behind it.
type robotConn struct {
	spec string
	dial robot.DialFunc
	// sim is the virtual mBot for --robot sim (nil otherwise).
	sim *link.Virtual
	// clock is the robot time the driver must use (nil: real time scaled by
	// timeScale). For sim it is shared with the virtual mBot: a paced clock
	// at K (exact at any K: the robot sees each frame at the very robot
	// time the driver meant), or with --time-scale max a manual one.
	clock     robot.Clock
	timeScale float64
	cleanup   func()
}

func (c *robotConn) Close() {
	if c.cleanup != nil {
		c.cleanup()
	}
}

// simDialHook, when set (by tests), runs after every successful connection to
// the virtual mBot, with the connection's count from 1. A new connection
// clears the robot's faults, so tests put faults on here.
var simDialHook func(v *link.Virtual, dial int)

// parseTimeScale parses --time-scale: a number K > 0, or "max" (0 returned):
// as fast as the link allows, for the virtual mBot only.
func parseTimeScale(s string) (float64, error) {
	if strings.EqualFold(s, "max") {
		return 0, nil
	}
	k, err := strconv.ParseFloat(s, 64)
	if err != nil || !(k > 0) || k > 1e6 {
		return 0, usagef("--time-scale %q: want a number above 0 (such as 10), or max", s)
	}
	return k, nil
}

// openRobot prepares the connection to the robot named by spec: sim,
// serial:PORT, a bare port path, or a scheme a transport registered
// (ws://…). It opens nothing yet except, for sim, the virtual mBot on a
// pseudo-terminal, placed at home and built from cal. timeScale is from
// parseTimeScale (0: max).
func openRobot(spec string, cal robot.Calibration, home robot.Pose, timeScale float64) (*robotConn, error) {
	c := &robotConn{spec: spec, timeScale: timeScale}
	if spec != "sim" {
		if timeScale == 0 {
			return nil, usagef("--time-scale max needs --robot sim: a real robot moves in real time")
		}
		c.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
			return link.OpenWith(spec, link.Options{})
		}
		return c, nil
	}
	var clock link.Clock
	if timeScale == 0 {
		mc := &link.ManualClock{}
		clock, c.clock = mc, mc
		c.timeScale = 1
	} else {
		pc := link.NewPacedClock(timeScale)
		clock, c.clock = pc, pc
	}
	v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), Clock: clock,
		Start: link.Pose{X: home.X, Y: home.Y, Heading: home.Heading}})
	c.sim = v
	// The virtual mBot answers on a pseudo-terminal, through the same serial
	// code as a real one, under a stable name so that it can "replug".
	dir, err := os.MkdirTemp("", "mbotdraw-sim-")
	if err != nil {
		return nil, fmt.Errorf("virtual mBot: %w", err)
	}
	port := filepath.Join(dir, "ttyMBOT")
	usePTY := true
	if _, err := v.StartPTY(port); err != nil {
		usePTY = false // no pseudo-terminals here: an in-process pipe will do
	}
	dials := 0
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
			l, err = link.OpenSerial(port, link.Options{BootWait: time.Second})
		} else {
			l, err = link.OpenWith("sim", link.Options{Sim: v})
		}
		if err != nil {
			return nil, err
		}
		dials++
		if simDialHook != nil {
			simDialHook(v, dials)
		}
		return l, nil
	}
	c.cleanup = func() {
		v.Close()
		os.RemoveAll(dir)
	}
	return c, nil
}

// loadCalibration reads --calibration, or returns the defaults for "".
func loadCalibration(path string) (robot.Calibration, error) {
	if path == "" {
		return robot.DefaultCalibration(), nil
	}
	return robot.LoadCalibration(path)
}
