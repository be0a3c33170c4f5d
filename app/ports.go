package app

import (
	"fmt"

	"mbotdraw/robot/link"
)

// runPorts lists the serial ports, the likely mBots (CH340, 1A86:7523) first
// and marked.
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
	if len(ports) == 0 {
		fmt.Fprintln(env.Stdout, "no serial ports found: plug the mBot in with its USB cable and switch it on")
		return nil
	}
	likely := 0
	for _, p := range ports {
		fmt.Fprintln(env.Stdout, p.String())
		if p.LikelyMBot {
			likely++
		}
	}
	if likely > 0 {
		fmt.Fprintf(env.Stdout, "\nuse: %s plot FILE --robot serial:%s\n", env.Prog, ports[0].Name)
	}
	return nil
}
