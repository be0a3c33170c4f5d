//go:build !linux

package link

import (
	"fmt"
	"runtime"
)

// OpenHID would open the 2.4G dongle; only Linux (hidraw) is supported so
// far. Elsewhere it says so, and what to use instead.
func OpenHID(path string) (*HID, error) {
	name := "2.4G dongle"
	if path != "" {
		name += " " + path
	}
	return nil, fmt.Errorf("%s: not supported on %s yet; connect the mBot with its USB cable or by Bluetooth", name, osName(runtime.GOOS))
}

func osName(goos string) string {
	switch goos {
	case "windows":
		return "Windows"
	case "darwin":
		return "macOS"
	}
	return goos
}
