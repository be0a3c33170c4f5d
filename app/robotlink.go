package app

import (
	"errors"

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

// openRobot opens the robot named by --robot (robotconn.Open): for sim, the
// virtual mBot on a pseudo-terminal, placed at home and built from cal.
// timeScale is from parseTimeScale (0: max, for sim only). A bridge's
// client batches and compresses as the default profile says.
func openRobot(spec string, cal robot.Calibration, home robot.Pose, timeScale float64) (*robotconn.Conn, error) {
	c, err := robotconn.Open(spec, robotconn.Options{Calibration: cal, Home: home,
		TimeScale: timeScale, Instant: timeScale == 0, OnSimDial: simDialHook,
		Bridge: bridge.ProfileClientOptions(perf.DefaultProfile())})
	if errors.Is(err, robotconn.ErrInstantNeedsSim) {
		return nil, usagef("%v", err)
	}
	return c, err
}
