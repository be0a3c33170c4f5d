package link

import (
	"errors"
	"io"
)

// ErrNoSerialInBrowser is what opening a serial port by name gives in the
// browser build: a web page cannot open /dev/ttyUSB0 or COM3. There the robot
// is reached through a classroom bridge (ws://…/robot) or Web Serial.
var ErrNoSerialInBrowser = errors.New("serial ports are not available in the browser: use a classroom bridge (ws://TEACHER-PC:8765/robot) or the browser's own serial access")

// lockPort refuses in the browser: there is no device node to open.
func lockPort(path string) (io.Closer, error) { return nil, ErrNoSerialInBrowser }

func isNoDevice(err error) bool { return false }
