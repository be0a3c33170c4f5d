package app

import (
	"flag"
	"strconv"
	"strings"

	"mbotdraw/robot"
)

// The flags several commands share are declared here, once, so that their
// names, help and defaults agree from one command to the next.

// robotHelp is --robot's help: every kind of robot a spec names
// (robotconn.Open). A command adds a note on what it takes.
const robotHelp = "the robot `SPEC`: sim (the virtual mBot), serial:PORT (or a port path: the USB cable or Bluetooth), hid:DEV (the 2.4G dongle; hid: finds it), or ws://HOST:PORT/robot (a robot another computer's bridge shares); 'ports' lists them"

// robotFlag declares --robot, with note (may be empty) after the common
// help.
func robotFlag(fs *flag.FlagSet, note string) *string {
	return fs.String("robot", "", robotHelp+note)
}

// robotFlags are the flags of the commands that drive a robot: --robot,
// --time-scale and --calibration.
type robotFlags struct {
	spec        *string
	timeScale   *string
	calibration *string
}

// addRobotFlags declares the robot flags on fs; robotNote and calNote (may
// be empty) follow the common help of --robot and --calibration.
func addRobotFlags(fs *flag.FlagSet, robotNote, calNote string) robotFlags {
	return robotFlags{
		spec:        robotFlag(fs, robotNote),
		timeScale:   fs.String("time-scale", "1", "divide every wait by `K`, for --robot sim; max: as fast as the link goes"),
		calibration: fs.String("calibration", "", "the robot's calibration `FILE` from 'calibrate' (default: a stock mBot's values)"+calNote),
	}
}

// settings parses --time-scale (0 for max) and reads --calibration.
func (f robotFlags) settings() (k float64, cal robot.Calibration, err error) {
	if k, err = parseTimeScale(*f.timeScale); err != nil {
		return 0, cal, err
	}
	cal, err = loadCalibration(*f.calibration)
	return k, cal, err
}

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

// loadCalibration reads --calibration, or returns the defaults for "".
func loadCalibration(path string) (robot.Calibration, error) {
	if path == "" {
		return robot.DefaultCalibration(), nil
	}
	return robot.LoadCalibration(path)
}

// defaultSeed is --seed's default. It is 1 for gen and bench alike (gen's
// used to be 0), the seed the benchmark suites draw with, so that
// `gen --strokes N -o FILE` writes the very drawing `bench --strokes N`
// measures, and `bench FILE` measures it again.
const defaultSeed = 1

// seedFlag declares --seed, the seed of a generated drawing.
func seedFlag(fs *flag.FlagSet) *uint64 {
	return fs.Uint64("seed", defaultSeed, "seed of the generated drawing: the same seed gives the same drawing")
}
