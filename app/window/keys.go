package window

import "github.com/hajimehoshi/ebiten/v2"

// action is something the user can ask for with a key or a button.
type action int

const (
	actNone action = iota
	actPlayPause
	actBack5
	actForward5
	actPrevStroke
	actNextStroke
	actFaster
	actSlower
	actStart
	actEnd
	actRestart
	actFit
	actFullscreen
	actHelp
	actPerf
	actRobot
	actRobotStop
	actPickRobot
	actView
	actScreenshot
	actGIF
	actPrevDrawing
	actNextDrawing
	actEscape
	actOpenFolder
	actOpen
	actQuit
)

// seekStepMs is how far Left and Right move, in milliseconds.
const seekStepMs = 5000

// binding maps a key (with or without Shift) to an action.
type binding struct {
	key   ebiten.Key
	shift bool
	act   action
}

// bindings is the keyboard map. A binding with shift false also matches
// when Shift is held, unless a Shift binding for the same key exists.
var bindings = []binding{
	{ebiten.KeySpace, false, actPlayPause},
	{ebiten.KeyK, false, actPlayPause},
	{ebiten.KeyArrowLeft, false, actBack5},
	{ebiten.KeyArrowRight, false, actForward5},
	{ebiten.KeyArrowLeft, true, actPrevStroke},
	{ebiten.KeyArrowRight, true, actNextStroke},
	{ebiten.KeyArrowUp, false, actFaster},
	{ebiten.KeyArrowDown, false, actSlower},
	{ebiten.KeyEqual, false, actFaster},
	{ebiten.KeyNumpadAdd, false, actFaster},
	{ebiten.KeyMinus, false, actSlower},
	{ebiten.KeyNumpadSubtract, false, actSlower},
	{ebiten.KeyHome, false, actStart},
	{ebiten.KeyEnd, false, actEnd},
	{ebiten.KeyF, false, actFit},
	{ebiten.KeyF11, false, actFullscreen},
	{ebiten.KeyH, false, actHelp},
	{ebiten.KeyF1, false, actHelp},
	{ebiten.KeyP, false, actPerf},
	{ebiten.KeyR, false, actRobot},
	{ebiten.KeyR, true, actRobotStop},
	{ebiten.KeyC, false, actPickRobot},
	{ebiten.KeyV, false, actView},
	{ebiten.KeyS, false, actScreenshot},
	{ebiten.KeyG, false, actGIF},
	{ebiten.KeyPageUp, false, actPrevDrawing},
	{ebiten.KeyPageDown, false, actNextDrawing},
	{ebiten.KeyB, false, actPrevDrawing},
	{ebiten.KeyN, false, actNextDrawing},
	{ebiten.KeyEscape, false, actEscape},
	{ebiten.KeyO, false, actOpenFolder},
}

// ctrlBindings is the keyboard map with Ctrl (or Cmd) held.
var ctrlBindings = map[ebiten.Key]action{
	ebiten.KeyQ: actQuit,
	ebiten.KeyO: actOpen,
}

// actionFor returns the action of a key press.
func actionFor(k KeyPress) action {
	if k.Ctrl {
		return ctrlBindings[k.Key]
	}
	plain := actNone
	for _, b := range bindings {
		if b.key != k.Key {
			continue
		}
		if b.shift == k.Shift {
			return b.act
		}
		if !b.shift {
			plain = b.act
		}
	}
	if k.Shift {
		for _, b := range bindings {
			if b.key == k.Key && b.shift {
				return actNone // Shift changes this key's meaning, and it was not matched
			}
		}
	}
	return plain
}

// helpLine is one row of the help overlay.
type helpLine struct{ keys, what string }

// helpLines lists every key; TestHelpListsEveryKey checks that each binding
// appears here.
var helpLines = []helpLine{
	{"Space or K", "play / pause"},
	{"Left / Right", "back / forward 5 seconds"},
	{"Shift + Left / Right", "back / forward one stroke"},
	{"Up / Down, + / -", "faster / slower (0.25x to 16x)"},
	{"Home / End", "jump to the start / the end"},
	{"F", "fit: whole page or just the drawing"},
	{"F11", "full screen on / off"},
	{"H or F1", "show / hide this help"},
	{"P", "performance: is playback smooth, and if not, why"},
	{"R", "send the drawing to the robot (again: pause / resume)"},
	{"Shift + R", "stop the robot"},
	{"C", "choose the robot: the virtual mBot or a port found"},
	{"V", "switch between the playback and the robot's view"},
	{"S", "save the drawing as a picture (PNG) in Pictures/mbotdraw"},
	{"G", "save the playback as an animated GIF there"},
	{"O", "open the folder of the last save"},
	{"Ctrl + O", "open a drawing: recent ones, the folder's, the demo, or any file"},
	{"PageUp / PageDown, B / N", "previous / next drawing of a gallery"},
	{"Esc", "close help and messages"},
	{"Ctrl + Q", "quit (a drawing robot stops first, pen lifted)"},
	{"Drop a file", "open it (JSON, ndjson, SVG, tldraw, Excalidraw, InkML, SVC)"},
	{"Click or drag the bar", "jump to any moment"},
	{"Click the drawing", "play / pause"},
}
