package link

import (
	"fmt"
	"sort"
	"strings"

	"go.bug.st/serial/enumerator"
)

// MBotVID and MBotPID identify the CH340 USB-serial chip of the mBot.
const (
	MBotVID = "1A86"
	MBotPID = "7523"
)

// PortInfo describes one serial port.
type PortInfo struct {
	Name    string // "/dev/ttyUSB0", "COM3"
	USB     bool
	VID     string // USB vendor id, upper-case hex ("1A86"), "" if not USB
	PID     string // USB product id ("7523")
	Serial  string // USB serial number, if any
	Product string // product name the OS reports, if any
	// LikelyMBot is true for a CH340 (1A86:7523), the mBot's USB chip.
	LikelyMBot bool
}

func (p PortInfo) String() string {
	s := p.Name
	if p.USB {
		s += fmt.Sprintf("  USB %s:%s", p.VID, p.PID)
		if p.Product != "" {
			s += "  " + p.Product
		}
	}
	if p.LikelyMBot {
		s += "  (likely mBot: CH340)"
	}
	return s
}

// Ports lists the serial ports the OS knows, the likely mBots first, then
// by name.
func Ports() ([]PortInfo, error) {
	list, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	return portInfos(list), nil
}

func portInfos(list []*enumerator.PortDetails) []PortInfo {
	out := make([]PortInfo, 0, len(list))
	for _, d := range list {
		if d == nil {
			continue
		}
		p := PortInfo{Name: d.Name, USB: d.IsUSB, Serial: d.SerialNumber, Product: d.Product}
		if d.IsUSB {
			p.VID, p.PID = strings.ToUpper(d.VID), strings.ToUpper(d.PID)
			p.LikelyMBot = p.VID == MBotVID && p.PID == MBotPID
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].LikelyMBot != out[j].LikelyMBot {
			return out[i].LikelyMBot
		}
		return out[i].Name < out[j].Name
	})
	return out
}
