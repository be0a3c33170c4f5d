package link

import (
	"errors"
	"slices"
	"testing"
)

// Where the browser has no navigator.serial (Firefox, Safari; Node here),
// nothing offers Web Serial: no webserial transport is registered, and
// opening it says in a sentence which browsers can. A port that is gone
// (unplugged) counts as no port, in the browser's words.
func TestWebSerialInBrowserWithoutIt(t *testing.T) {
	if HasWebSerial() {
		t.Skip("this JavaScript runtime has navigator.serial")
	}
	if slices.Contains(Schemes(), "webserial") {
		t.Errorf("schemes %v offer webserial without navigator.serial", Schemes())
	}
	if _, err := OpenWebSerial(Options{}); !errors.Is(err, ErrNoWebSerial) {
		t.Errorf("OpenWebSerial = %v, want ErrNoWebSerial", err)
	}
	if !errors.Is(errPortGone, ErrNoPort) {
		t.Error("a port that is gone does not count as no port")
	}
}
