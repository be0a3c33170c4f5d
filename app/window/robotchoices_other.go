//go:build !js

package window

import "mbotdraw/robot/link"

// robotChoices lists the robots C steps through: the virtual mBot and the
// ports found (cable, Bluetooth, 2.4G dongle), the likely mBots first. The
// browser has its own list (robotchoices_js.go).
func robotChoices() []string {
	out := []string{"sim"}
	ports, _ := link.Ports()
	for _, p := range ports {
		out = append(out, p.Spec())
	}
	return out
}

// pageRobot is the robot a web page asks for: none outside the browser
// (see robotchoices_js.go).
func pageRobot() string { return "" }

// pageRobotName names a web page's bridge robot: none outside the browser.
func pageRobotName(string) string { return "" }
