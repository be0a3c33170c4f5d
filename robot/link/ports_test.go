package link

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.bug.st/serial/enumerator"
)

// fakeSys builds a sysfs tree: hidraw devices with their uevent files, and
// tty entries.
func fakeSys(t *testing.T, hidraw map[string]string, ttys ...string) string {
	t.Helper()
	root := t.TempDir()
	for name, uevent := range hidraw {
		dir := filepath.Join(root, "class", "hidraw", name, "device")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "uevent"), []byte(uevent), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tty := range ttys {
		if err := os.MkdirAll(filepath.Join(root, "class", "tty", tty), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const (
	dongleUevent   = "DRIVER=hid-generic\nHID_ID=0003:00000416:0000FFFF\nHID_NAME=HID 0416:ffff\nHID_PHYS=usb-0000:00:14.0-2/input0\nHID_UNIQ=\nMODALIAS=hid:b0003g0001v00000416p0000FFFF\n"
	keyboardUevent = "DRIVER=hid-generic\nHID_ID=0003:0000046D:0000C31C\nHID_NAME=Logitech USB Keyboard\n"
)

func TestListPortsEveryKind(t *testing.T) {
	sys := fakeSys(t, map[string]string{"hidraw0": keyboardUevent, "hidraw3": dongleUevent, "hidraw4": "garbage"},
		"ttyS0", "ttyUSB0", "rfcomm0")
	serial := func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{
			{Name: "/dev/ttyS0"},
			{Name: "/dev/ttyUSB0", IsUSB: true, VID: "1a86", PID: "7523", Product: "USB Serial"},
		}, nil
	}
	got, err := ListPorts(PortsOptions{SysRoot: sys, DevRoot: "/dev", Serial: serial})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		kind   PortKind
		likely bool
		spec   string
	}{
		{"/dev/hidraw3", KindDongle, true, "hid:/dev/hidraw3"},
		{"/dev/ttyUSB0", KindUSB, true, "serial:/dev/ttyUSB0"},
		{"/dev/rfcomm0", KindBluetooth, false, "serial:/dev/rfcomm0"},
		{"/dev/ttyS0", KindSerial, false, "serial:/dev/ttyS0"},
	}
	if len(got) != len(want) {
		t.Fatalf("ports %+v, want %d of them", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Kind != w.kind || g.LikelyMBot != w.likely || g.Spec() != w.spec {
			t.Errorf("port %d: %+v (spec %s), want %+v", i, g, g.Spec(), w)
		}
	}
	if s := got[0].String(); !strings.Contains(s, "2.4G wireless dongle") || !strings.Contains(s, "0416:FFFF") || !strings.Contains(s, "likely mBot") {
		t.Errorf("dongle line %q", s)
	}
	if s := got[2].String(); !strings.Contains(s, "Bluetooth") || strings.Contains(s, "likely") {
		t.Errorf("Bluetooth line %q", s)
	}
}

func TestListPortsNone(t *testing.T) {
	none := func() ([]*enumerator.PortDetails, error) { return nil, nil }
	got, err := ListPorts(PortsOptions{SysRoot: t.TempDir(), Serial: none})
	if err != nil || len(got) != 0 {
		t.Fatalf("empty machine: %v, %v", got, err)
	}
	broken := func() ([]*enumerator.PortDetails, error) { return nil, errors.New("setupapi failed") }
	if _, err := ListPorts(PortsOptions{SysRoot: t.TempDir(), Serial: broken}); err == nil || !strings.Contains(err.Error(), "list serial ports") {
		t.Errorf("enumerator failure: %v", err)
	}
}

// Windows names a paired Bluetooth port in its description.
func TestPortInfosWindows(t *testing.T) {
	got := portInfos([]*enumerator.PortDetails{
		{Name: "COM1", Product: "Communications Port (COM1)"},
		{Name: "COM5", Product: "Standard Serial over Bluetooth link (COM5)"},
		{Name: "COM3", IsUSB: true, VID: "1A86", PID: "7523", Product: "USB-SERIAL CH340 (COM3)"},
	})
	if len(got) != 3 || got[0].Name != "COM3" || got[0].Kind != KindUSB || got[0].Spec() != "serial:COM3" ||
		got[1].Name != "COM5" || got[1].Kind != KindBluetooth || got[2].Kind != KindSerial {
		t.Fatalf("ports %+v", got)
	}
}

func TestParseHIDID(t *testing.T) {
	for _, c := range []struct {
		in, vid, pid string
		ok           bool
	}{
		{"0003:00000416:0000FFFF", "0416", "FFFF", true},
		{"0003:00000416:0000ffff", "0416", "FFFF", true},
		{"0005:0000046D:0000B342", "046D", "B342", true},
		{"0003:00010416:0000FFFF", "", "", false},
		{"0003:0416", "", "", false},
		{"", "", "", false},
		{"0003:zz:0000FFFF", "", "", false},
	} {
		vid, pid, ok := parseHIDID(c.in)
		if ok != c.ok || (ok && (vid != c.vid || pid != c.pid)) {
			t.Errorf("parseHIDID(%q) = %s %s %v", c.in, vid, pid, ok)
		}
	}
}

func FuzzParseHIDID(f *testing.F) {
	for _, s := range []string{"0003:00000416:0000FFFF", "0005:0000046D:0000B342", "::", "0003:-1:+2", "0003:0x416:ffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vid, pid, ok := parseHIDID(s)
		if ok && (len(vid) != 4 || len(pid) != 4 || strings.ToUpper(vid) != vid || strings.ToUpper(pid) != pid) {
			t.Fatalf("parseHIDID(%q) = %q %q", s, vid, pid)
		}
	})
}
