//go:build !js

package window

// pageFiles returns the files a web page handed over: none outside the
// browser (see page_js.go).
func pageFiles() []DroppedFile { return nil }

// publish shows a web page what the game shows: nothing to do outside the
// browser.
func (g *Game) publish() {}

// pagePick opens a web page's file chooser: there is none outside the
// browser, so it reports false.
func pagePick() bool { return false }

// pageTimeScale returns the robot's time scale a web page's address asks
// for: none outside the browser.
func pageTimeScale() float64 { return 0 }

// pageOpenLoop reports whether a web page's address asks for the robot's
// moves as compiled: none outside the browser.
func pageOpenLoop() bool { return false }
