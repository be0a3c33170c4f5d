package link

import (
	"errors"
	"strings"
	"testing"
)

// In the browser a serial port by name says plainly that it cannot be had
// there and what to use instead, rather than a library's "not supported".
func TestOpenSerialInBrowser(t *testing.T) {
	for _, path := range []string{"/dev/ttyUSB0", "COM3"} {
		_, err := OpenSerial(path, Options{})
		if !errors.Is(err, ErrNoSerialInBrowser) {
			t.Fatalf("OpenSerial(%q) = %v, want ErrNoSerialInBrowser", path, err)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "bridge") {
			t.Errorf("OpenSerial(%q) error %q: want the port named and the bridge suggested", path, err)
		}
	}
}
