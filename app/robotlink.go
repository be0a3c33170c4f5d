package app

import (
	"errors"
	"strconv"
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

// loadCalibration reads --calibration, or returns the defaults for "".
func loadCalibration(path string) (robot.Calibration, error) {
	if path == "" {
		return robot.DefaultCalibration(), nil
	}
	return robot.LoadCalibration(path)
}
