package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"mbotdraw/bridge"
	"mbotdraw/perf"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
	"mbotdraw/robotconn"
)

// simDialHook, when set (by tests), runs after every successful connection to
// the virtual mBot, with the connection's count from 1. A new connection
// clears the robot's faults, so tests put faults on here.
var simDialHook func(v *link.Virtual, dial int)

// simBoot, when set (by tests), is how the virtual mBot boots (zero: the
// mBlock firmware's boot, link.BootMBlock).
var simBoot link.BootProfile

// openRobot opens the robot named by --robot (robotconn.Open): for sim, the
// virtual mBot on a pseudo-terminal, placed at home and built from cal.
// timeScale is from parseTimeScale (0: max, for sim only). A bridge's
// client batches and compresses as the default profile says. Each time a
// real robot's port opens, a line on w (when not nil), after "cmd: ", says
// which firmware answered and, for the factory program, what that means.
func openRobot(spec string, cal robot.Calibration, home robot.Pose, timeScale float64, w io.Writer, cmd string) (*robotconn.Conn, error) {
	var onBoard func(link.Board)
	if w != nil && spec != "sim" {
		onBoard = func(b link.Board) {
			if d := b.Describe(); d != "" {
				fmt.Fprintf(w, "%s: %s on %s\n", cmd, d, strings.TrimPrefix(spec, "serial:"))
			}
		}
	}
	c, err := robotconn.Open(spec, robotconn.Options{Calibration: cal, Home: home,
		TimeScale: timeScale, Instant: timeScale == 0, OnSimDial: simDialHook, SimBoot: simBoot, OnBoard: onBoard,
		Bridge: bridge.ProfileClientOptions(perf.DefaultProfile())})
	if errors.Is(err, robotconn.ErrInstantNeedsSim) || errors.Is(err, robotconn.ErrUnknownKind) {
		return nil, usagef("%v", err)
	}
	return c, err
}
