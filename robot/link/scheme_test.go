package link

import (
	"errors"
	"strings"
	"testing"
)

// A frame transport registered by name (as the 2.4G dongle's hid: is) gets
// its specs whole, in both the NAME:… and NAME://… forms; a bare path that
// only looks like one (a Windows drive) stays a serial port, and a robot
// bridge is no frame link.
func TestRegisterScheme(t *testing.T) {
	errFake := errors.New("fake transport")
	var got []string
	RegisterScheme("fake-hid", func(spec string, o Options) (Link, error) {
		got = append(got, spec)
		return nil, errFake
	})
	t.Cleanup(func() {
		schemesMu.Lock()
		delete(schemes, "fake-hid")
		schemesMu.Unlock()
	})
	for _, spec := range []string{"fake-hid:0416:ffff", "fake-hid://dongle/1"} {
		if _, err := Open(spec); !errors.Is(err, errFake) {
			t.Errorf("Open(%q) = %v; want the registered transport's error", spec, err)
		}
	}
	if want := []string{"fake-hid:0416:ffff", "fake-hid://dongle/1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the transport got %q, want %q", got, want)
	}
	for spec, known := range map[string]bool{"fake-hid://x": true, "fake-hid:x": true, "ws://h/robot": false, "nope:x": true, "/dev/ttyUSB0": true} {
		if err := Check(spec); (err == nil) != known {
			t.Errorf("Check(%q) = %v; want known %v", spec, err, known)
		}
	}
	for spec, want := range map[string]string{
		`C:\ttyMBOT`:     "no such port",
		"ws://h:1/robot": `unknown scheme "ws"; want sim, serial:PORT, a port path, fake-hid:…`,
		"":               "fake-hid:…",
	} {
		if _, err := Open(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v; want an error containing %q", spec, err, want)
		}
	}
}
