package link

import "errors"

// WebSerialSpec is the spec of the USB serial port the user granted the
// page in a browser with Web Serial (see webserial_js.go); outside the
// browser no transport answers to it.
const WebSerialSpec = "webserial:"

// ErrNoWebSerial is what opening Web Serial gives in a browser without
// navigator.serial.
var ErrNoWebSerial = errors.New("this browser cannot reach a robot on a USB cable: use Chrome or Edge on a computer or a Chromebook, or a classroom bridge (ws://TEACHER-PC:8765/robot)")

// ErrNoPortChosen is what opening Web Serial gives when the user closed the
// browser's list of ports without picking one.
var ErrNoPortChosen = errors.New("no port was picked: plug the mBot in with its USB cable, switch it on, press C again and pick its port (often \"USB Serial\" or \"CH340\") in the list the browser shows")
