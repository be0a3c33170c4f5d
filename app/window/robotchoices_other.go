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
