// Command mbotdraw replays drawings stroke by stroke in a window, draws them on a
// Makeblock mBot, and benchmarks the renderer. Run `mbotdraw --help`.
package main

import (
	"os"

	"mbotdraw/app"
	"mbotdraw/app/window"
)

func main() {
	os.Exit(withConsole(func() int { return app.Main(os.Args, window.Run) }))
}
