// Command mbotdraw-headless runs every mbotdraw command that needs no window:
// bench, plot, bridge, convert, gen, info, export, ports, calibrate. It never
// imports Ebiten, so it runs on machines with no display.
package main

import (
	"os"

	"mbotdraw/app"
)

func main() {
	os.Exit(app.Main(os.Args, nil))
}
