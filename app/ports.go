package app

import (
	"fmt"
	"io"
	"runtime"

	"mbotdraw/robot/link"
)

// runPorts lists the ports a robot may be on, of every kind: the mBot's USB
// cable (CH340), paired Bluetooth serial ports and the 2.4G dongle. The
// likely mBots come first, marked, each with the --robot value that opens
// it; when none is found it says what to check.
func runPorts(env *Env, args []string) error {
	fs := newFlags(env, "ports")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	ports, err := link.Ports()
	if err != nil {
		return err
	}
	printPorts(env.Stdout, env.Prog, runtime.GOOS, ports)
	return nil
}

// printPorts writes the list for a user; goos decides the hints.
func printPorts(w io.Writer, prog, goos string, ports []link.PortInfo) {
	likely := 0
	for _, p := range ports {
		if p.LikelyMBot {
			likely++
		}
	}
	if len(ports) == 0 {
		fmt.Fprintln(w, "No ports found: no mBot is connected.")
	}
	for _, p := range ports {
		fmt.Fprintln(w, p.String())
		if p.LikelyMBot || p.Kind == link.KindBluetooth {
			fmt.Fprintf(w, "    use: %s plot FILE --robot %s\n", prog, p.Spec())
		}
	}
	if likely > 0 {
		return
	}
	if len(ports) > 0 {
		fmt.Fprintln(w, "\nNo port above looks like an mBot.")
	}
	fmt.Fprintln(w, "Check:")
	fmt.Fprintln(w, "  - USB cable: plug the mBot in and switch it on.")
	if goos == "windows" {
		fmt.Fprintln(w, "    If no COM port appears, install the CH340 driver (see the README).")
	}
	fmt.Fprintln(w, "  - Bluetooth: pair the mBot in the computer's Bluetooth settings first (see the README).")
	if goos == "linux" {
		fmt.Fprintln(w, "  - 2.4G dongle: plug the dongle in and switch the mBot on; the two pair by themselves.")
	} else {
		fmt.Fprintln(w, "  - 2.4G dongle: works on Linux only for now; use the USB cable or Bluetooth here.")
	}
}
