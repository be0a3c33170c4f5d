//go:build !js

package link

// HasWebSerial reports whether this browser offers Web Serial: outside the
// browser there is none.
func HasWebSerial() bool { return false }

// AskWebSerialPort lets the browser show its list of ports again: outside
// the browser there is none.
func AskWebSerialPort() {}
