// Package app is mbotdraw's command layer: it parses the command line, loads
// files, wires the packages together and reports errors. It never imports
// Ebiten; the window program passes its entry point in as a WindowFunc.
//
// Exit status: 0 success, 1 bad input or a failed operation, 2 bad usage.
// Every error is one line on stderr that names the file and the place.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"mbotdraw/app/config"
	"mbotdraw/version"
)

// WindowFunc opens the window and returns when it closes. The headless
// program passes nil.
type WindowFunc func(config.Window) error

// Env is what a command sees of the world: its streams, its context (cancelled
// on Ctrl-C) and the window, if this program has one.
type Env struct {
	Ctx            context.Context
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Window         WindowFunc
	// Prog is the program's name for messages ("mbotdraw" or "mbotdraw-headless").
	Prog string
	// NoDisplay, when set, says why mbotdraw ran this command line in the
	// headless program: there is no display, so no window.
	NoDisplay string
}

type command struct {
	name    string
	usage   string // after the program name
	summary string
	run     func(env *Env, args []string) error
}

// commands lists every command; each lives in a file of its own name. It is
// filled in init: the commands' flag usage looks commands up, which would
// otherwise be an initialization cycle.
var commands []command

func init() {
	commands = commandTable()
}

func commandTable() []command {
	return []command{
		{"play", "[play] [FILE] [flags]", "replay a drawing in a window (no FILE: the embedded demo)", runPlay},
		{"bench", "bench [FILE] [flags]", "headless rendering benchmark", runBench},
		{"plot", "plot FILE --robot sim|serial:PORT|ws://HOST:PORT/robot [flags]", "draw on the robot, with a progress bar", runPlot},
		{"bridge", "bridge --robot serial:PORT|sim --listen ADDR [--token T]", "share one robot over WebSocket", runBridge},
		{"serve", "serve [--listen ADDR] [--token T]", "serve the player to web browsers (Chromebooks, tablets)", runServe},
		{"loadtest", "loadtest [--clients N --rate R --seconds S]", "load-test the WebSocket bridge on loopback", runLoadtest},
		{"convert", "convert IN OUT", "convert between formats (by extension)", runConvert},
		{"gen", "gen --strokes N --seed S [--size WxH] -o OUT", "write a deterministic synthetic drawing", runGen},
		{"info", "info FILE", "strokes, points, bounds and duration of a drawing", runInfo},
		{"export", "export FILE --png [OUT.png] | --gif [OUT.gif]", "render the drawing to a PNG or its playback to a GIF", runExport},
		{"ports", "ports", "list the ports an mBot may be on (USB cable, Bluetooth, 2.4G dongle), marking the likely mBot", runPorts},
		{"register", "register [--undo]", "Windows: open drawing files with mbotdraw by double-click", runRegister},
		{"calibrate", "calibrate --robot sim|serial:PORT|hid:DEV [-o FILE]", "measure the robot's speed and turn rate", runCalibrate},
	}
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// usageError marks bad usage: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// Main runs the program with os.Args-style arguments and returns the exit
// status. win is nil in the headless program.
func Main(args []string, win WindowFunc) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := "mbotdraw"
	// The window program runs the headless one when there is no display
	// (see package window), saying why.
	noDisplay := os.Getenv(noDisplayEnv)
	if win == nil && noDisplay == "" {
		prog = "mbotdraw-headless"
	}
	env := &Env{Ctx: ctx, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Window: win, Prog: prog, NoDisplay: noDisplay}
	return Run(env, args[1:])
}

// noDisplayEnv names the variable through which mbotdraw tells the
// headless program that it runs in its place for want of a display.
const noDisplayEnv = "MBOTDRAW_NO_DISPLAY"

// Run runs one command line (without the program name) in env and returns
// the exit status. A panic is reported as one line, never a stack dump,
// unless MBOTDRAW_DEBUG is set.
func Run(env *Env, args []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("MBOTDRAW_DEBUG") != "" {
				fmt.Fprintf(env.Stderr, "%s: internal error: %v\n%s", env.Prog, r, debug.Stack())
			} else {
				fmt.Fprintf(env.Stderr, "%s: internal error: %v (set MBOTDRAW_DEBUG=1 for details)\n", env.Prog, r)
			}
			status = 1
		}
	}()
	if env.Ctx == nil {
		env.Ctx = context.Background()
	}
	if env.Prog == "" {
		env.Prog = "mbotdraw"
	}
	cmd := lookup("play")
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "--help" || a == "-help" || a == "help":
			if len(args) > 1 && lookup(args[1]) != nil {
				return finish(env, lookup(args[1]).run(env, []string{"--help"}))
			}
			printHelp(env)
			return 0
		case a == "version" || a == "--version":
			fmt.Fprintf(env.Stdout, "%s %s\n", env.Prog, version.Get())
			return 0
		case lookup(a) != nil:
			cmd, args = lookup(a), args[1:]
		case !strings.HasPrefix(a, "-") && !looksLikeFile(a):
			fmt.Fprintf(env.Stderr, "%s: unknown command %q (run '%s --help')\n", env.Prog, a, env.Prog)
			return 2
		}
	}
	return finish(env, cmd.run(env, args))
}

// looksLikeFile tells a drawing path ("cat.ndjson") from a mistyped command ("benhc").
func looksLikeFile(a string) bool {
	if strings.ContainsAny(a, "./\\") {
		return true
	}
	_, err := os.Stat(a)
	return err == nil
}

// reported is an error already told to the user: it sets the exit status
// (1) without a second line.
type reported struct{ err error }

func (r reported) Error() string { return r.err.Error() }
func (r reported) Unwrap() error { return r.err }

func finish(env *Env, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.As(err, new(reported)) {
		return 1
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "%s: %v\n", env.Prog, err)
		return 2
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.Stderr, "%s: interrupted\n", env.Prog)
		return 1
	}
	fmt.Fprintf(env.Stderr, "%s: %s\n", env.Prog, oneLine(err.Error()))
	return 1
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// newFlags returns a flag set for a command that reports its own usage and
// never exits the process.
func newFlags(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		c := lookup(name)
		fmt.Fprintf(env.Stderr, "Usage: %s %s\n  %s\n\nFlags:\n", env.Prog, c.usage, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags that may come before, between or after the
// positional arguments ("plot cat.ndjson --robot sim") and returns the
// positional ones. "--" ends flag parsing.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(pos []string, min, max int, what string) error {
	if len(pos) < min {
		return usagef("missing %s", what)
	}
	if max >= 0 && len(pos) > max {
		return usagef("unexpected argument %q", pos[max])
	}
	return nil
}
