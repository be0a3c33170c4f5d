package link

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.bug.st/serial/enumerator"
)

// MBotVID and MBotPID identify the CH340 USB-serial chip of the mBot.
const (
	MBotVID = "1A86"
	MBotPID = "7523"
)

// PortKind says how a port reaches a robot.
type PortKind int

const (
	// KindSerial is any other serial port (a built-in COM1, a USB adapter
	// that is not the mBot's).
	KindSerial PortKind = iota
	// KindUSB is the mBot's own USB cable: a CH340 serial port.
	KindUSB
	// KindBluetooth is a paired Bluetooth serial port: /dev/rfcommN on
	// Linux, a COM port "over Bluetooth link" on Windows.
	KindBluetooth
	// KindDongle is Makeblock's 2.4G wireless dongle (USB HID).
	KindDongle
)

// String names the kind in plain words.
func (k PortKind) String() string {
	switch k {
	case KindUSB:
		return "USB cable (CH340)"
	case KindBluetooth:
		return "Bluetooth (paired)"
	case KindDongle:
		return "2.4G wireless dongle"
	}
	return "serial port"
}

// PortInfo describes one port a robot may be on.
type PortInfo struct {
	Name    string // "/dev/ttyUSB0", "COM3", "/dev/rfcomm0", "/dev/hidraw2"
	Kind    PortKind
	USB     bool
	VID     string // USB vendor id, upper-case hex ("1A86"), "" if not USB
	PID     string // USB product id ("7523")
	Serial  string // USB serial number, if any
	Product string // product name the OS reports, if any
	// LikelyMBot is true for the mBot's CH340 (1A86:7523) and for the 2.4G
	// dongle (0416:FFFF). A Bluetooth port may be the mBot or not: it is
	// listed, not marked.
	LikelyMBot bool
}

// Spec is the --robot value that opens the port: "serial:COM3",
// "hid:/dev/hidraw2".
func (p PortInfo) Spec() string {
	if p.Kind == KindDongle {
		return "hid:" + p.Name
	}
	return "serial:" + p.Name
}

func (p PortInfo) String() string {
	s := p.Name + "  " + p.Kind.String()
	if p.USB {
		s += fmt.Sprintf("  USB %s:%s", p.VID, p.PID)
		if p.Product != "" {
			s += "  " + p.Product
		}
	} else if p.Product != "" {
		s += "  " + p.Product
	}
	if p.LikelyMBot {
		s += "  (likely mBot)"
	}
	return s
}

// PortsOptions say where Ports looks. The zero value looks at this
// computer.
type PortsOptions struct {
	// SysRoot is the root of the sysfs tree where Linux describes devices
	// (Bluetooth serial ports, hidraw devices). Empty: "/sys".
	SysRoot string
	// DevRoot is where device nodes live. Empty: "/dev".
	DevRoot string
	// Serial lists the serial ports. Nil: the OS's list (go.bug.st/serial).
	Serial func() ([]*enumerator.PortDetails, error)
}

func (o PortsOptions) sysRoot() string { return orDefault(o.SysRoot, "/sys") }
func (o PortsOptions) devRoot() string { return orDefault(o.DevRoot, "/dev") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Ports lists the ports of this computer (see ListPorts).
func Ports() ([]PortInfo, error) { return ListPorts(PortsOptions{}) }

// ListPorts lists every port a robot may be on: serial ports (the mBot's
// USB cable among them), paired Bluetooth serial ports and 2.4G dongles;
// the likely mBots first, then Bluetooth ports, then by name.
func ListPorts(o PortsOptions) ([]PortInfo, error) {
	list := o.Serial
	if list == nil {
		list = func() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() }
	}
	details, err := list()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	out := portInfos(details)
	seen := map[string]bool{}
	for _, p := range out {
		seen[p.Name] = true
	}
	for _, p := range rfcommPorts(o) {
		if !seen[p.Name] {
			out = append(out, p)
		}
	}
	found, err := dongles(o)
	if err != nil {
		return nil, err
	}
	out = append(out, found...)
	sortPorts(out)
	return out, nil
}

func portInfos(list []*enumerator.PortDetails) []PortInfo {
	out := make([]PortInfo, 0, len(list))
	for _, d := range list {
		if d == nil {
			continue
		}
		p := PortInfo{Name: d.Name, USB: d.IsUSB, Serial: d.SerialNumber, Product: d.Product}
		switch {
		case d.IsUSB:
			p.VID, p.PID = strings.ToUpper(d.VID), strings.ToUpper(d.PID)
			if p.VID == MBotVID && p.PID == MBotPID {
				p.Kind, p.LikelyMBot = KindUSB, true
			}
		case isBluetoothName(d.Name, d.Product):
			p.Kind = KindBluetooth
		}
		out = append(out, p)
	}
	sortPorts(out)
	return out
}

// isBluetoothName tells a Bluetooth serial port by its name (Linux
// /dev/rfcommN) or by the description Windows gives it ("Standard Serial
// over Bluetooth link").
func isBluetoothName(name, product string) bool {
	return strings.HasPrefix(filepath.Base(name), "rfcomm") || strings.Contains(strings.ToLower(product), "bluetooth")
}

func sortPorts(ps []PortInfo) {
	rank := func(p PortInfo) int {
		switch {
		case p.LikelyMBot:
			return 0
		case p.Kind == KindBluetooth:
			return 1
		}
		return 2
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ri, rj := rank(ps[i]), rank(ps[j]); ri != rj {
			return ri < rj
		}
		return ps[i].Name < ps[j].Name
	})
}

// rfcommPorts lists Linux's Bluetooth serial ports (bound with
// `rfcomm bind`, or by a desktop's Bluetooth settings), which live under
// sysfs's class/tty with no USB device behind them.
func rfcommPorts(o PortsOptions) []PortInfo {
	ents, _ := os.ReadDir(filepath.Join(o.sysRoot(), "class", "tty"))
	var out []PortInfo
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "rfcomm") {
			out = append(out, PortInfo{Name: filepath.Join(o.devRoot(), e.Name()), Kind: KindBluetooth})
		}
	}
	return out
}

// dongles lists the 2.4G dongles that Linux's hidraw driver shows under
// sysfs's class/hidraw: each hidrawN has a device/uevent whose HID_ID line
// is "BUS:VENDOR:PRODUCT" in hex ("0003:00000416:0000FFFF"). Elsewhere the
// directory does not exist and the list is empty.
func dongles(o PortsOptions) ([]PortInfo, error) {
	dir := filepath.Join(o.sysRoot(), "class", "hidraw")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // no hidraw here (not Linux, or no HID devices)
	}
	var out []PortInfo
	for _, e := range ents {
		ue, err := readUevent(filepath.Join(dir, e.Name(), "device", "uevent"))
		if err != nil {
			continue
		}
		vid, pid, ok := parseHIDID(ue["HID_ID"])
		if !ok || vid != DongleVID || pid != DonglePID {
			continue
		}
		out = append(out, PortInfo{Name: filepath.Join(o.devRoot(), e.Name()), Kind: KindDongle, USB: true,
			VID: vid, PID: pid, Product: ue["HID_NAME"], Serial: ue["HID_UNIQ"], LikelyMBot: true})
	}
	sortPorts(out)
	return out, nil
}

// readUevent reads a sysfs uevent file: KEY=value lines.
func readUevent(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m, sc.Err()
}

// parseHIDID reads "0003:00000416:0000FFFF" (bus, vendor, product in hex)
// into upper-case four-digit vendor and product ids.
func parseHIDID(s string) (vid, pid string, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return "", "", false
	}
	norm := func(h string) (string, bool) {
		var v uint32
		if _, err := fmt.Sscanf(h, "%x", &v); err != nil || len(h) > 8 || v > 0xffff {
			return "", false
		}
		return fmt.Sprintf("%04X", v), true
	}
	vid, ok1 := norm(parts[1])
	pid, ok2 := norm(parts[2])
	return vid, pid, ok1 && ok2
}
