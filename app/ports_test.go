package app

import (
	"bytes"
	"strings"
	"testing"

	"mbotdraw/robot/link"
)

func TestPrintPorts(t *testing.T) {
	dongle := link.PortInfo{Name: "/dev/hidraw3", Kind: link.KindDongle, USB: true, VID: "0416", PID: "FFFF", LikelyMBot: true}
	cable := link.PortInfo{Name: "COM3", Kind: link.KindUSB, USB: true, VID: "1A86", PID: "7523", LikelyMBot: true}
	bt := link.PortInfo{Name: "/dev/rfcomm0", Kind: link.KindBluetooth}
	builtin := link.PortInfo{Name: "/dev/ttyS0"}
	for _, c := range []struct {
		name   string
		goos   string
		ports  []link.PortInfo
		want   []string
		unwant []string
	}{
		{"nothing at all", "linux", nil,
			[]string{"No ports found: no mBot is connected.", "plug the mBot in and switch it on", "pair the mBot", "2.4G dongle: plug the dongle in"},
			[]string{"use:"}},
		{"only a built-in port", "linux", []link.PortInfo{builtin},
			[]string{"/dev/ttyS0  serial port", "No port above looks like an mBot.", "Check:"},
			[]string{"use:"}},
		{"a dongle", "linux", []link.PortInfo{dongle, builtin},
			[]string{"/dev/hidraw3  2.4G wireless dongle  USB 0416:FFFF  (likely mBot)", "use: mbotdraw plot FILE --robot hid:/dev/hidraw3"},
			[]string{"Check:", "--robot serial:/dev/ttyS0"}},
		{"the cable on Windows", "windows", []link.PortInfo{cable},
			[]string{"COM3  USB cable (CH340)  USB 1A86:7523  (likely mBot)", "use: mbotdraw plot FILE --robot serial:COM3"},
			[]string{"Check:"}},
		{"Bluetooth only: listed with its spec, hints still given", "linux", []link.PortInfo{bt},
			[]string{"/dev/rfcomm0  Bluetooth (paired)", "use: mbotdraw plot FILE --robot serial:/dev/rfcomm0", "Check:"},
			nil},
		{"nothing on Windows", "windows", nil,
			[]string{"install the CH340 driver", "works on Linux only for now"},
			nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			printPorts(&b, "mbotdraw", c.goos, c.ports)
			out := b.String()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, u := range c.unwant {
				if strings.Contains(out, u) {
					t.Errorf("unexpected %q in\n%s", u, out)
				}
			}
		})
	}
	// The command itself runs on this machine, whatever it has.
	if _, stderr, status := fileCmd(t, "ports"); status != 0 {
		t.Errorf("ports: status %d: %s", status, stderr)
	}
}
