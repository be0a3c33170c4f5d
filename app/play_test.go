package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/app/config"
)

// playCmd runs `play args...` with a window function that records the
// configuration it is given instead of opening a window (nil: the headless
// program).
func playCmd(t *testing.T, withWindow bool, args ...string) (cfg *config.Window, stderr string, status int) {
	t.Helper()
	var out, errs bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errs, Prog: "mbotdraw"}
	if withWindow {
		env.Window = func(c config.Window) error {
			cfg = &c
			return nil
		}
	} else {
		env.Prog = "mbotdraw-headless"
	}
	status = Run(env, append([]string{"play"}, args...))
	return cfg, errs.String(), status
}

const playCat = "../testdata/real/quickdraw/raw/cat.ndjson"

func TestPlayOpensTheWindow(t *testing.T) {
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, c *config.Window)
	}{
		{"demo", nil, func(t *testing.T, c *config.Window) {
			if c.File != "" || c.Drawing == nil || len(c.Drawing.Strokes) < 20 {
				t.Errorf("demo: file %q, drawing %v", c.File, c.Drawing != nil)
			}
			if c.Speed != 1 || c.Width != 1280 || c.Height != 800 || c.Profile != "default" {
				t.Errorf("defaults: speed %v size %dx%d profile %q", c.Speed, c.Width, c.Height, c.Profile)
			}
		}},
		{"gallery to step through", []string{playCat}, func(t *testing.T, c *config.Window) {
			if len(c.Drawings) < 10 || c.Drawing != c.Drawings[0] || c.File != playCat {
				t.Errorf("%d drawings, file %q", len(c.Drawings), c.File)
			}
		}},
		{"one drawing by index", []string{playCat, "--index", "3"}, func(t *testing.T, c *config.Window) {
			if len(c.Drawings) != 1 {
				t.Errorf("--index 3: %d drawings, want 1", len(c.Drawings))
			}
		}},
		{"gallery grid", []string{"--gallery", playCat}, func(t *testing.T, c *config.Window) {
			if len(c.Drawings) != 1 || len(c.Drawing.Strokes) < 50 {
				t.Errorf("--gallery: %d drawings of %d strokes, want one grid of them all", len(c.Drawings), len(c.Drawing.Strokes))
			}
		}},
		{"companion on loopback", []string{"--listen", "127.0.0.1:8766"}, func(t *testing.T, c *config.Window) {
			if c.Listen != "127.0.0.1:8766" || c.Token != "" {
				t.Errorf("--listen not passed on: listen %q, token %q", c.Listen, c.Token)
			}
		}},
		{"companion for the classroom", []string{"--listen", "0.0.0.0:8766", "--token", "s3cret"}, func(t *testing.T, c *config.Window) {
			if c.Listen != "0.0.0.0:8766" || c.Token != "s3cret" {
				t.Errorf("--listen/--token not passed on: listen %q, token %q", c.Listen, c.Token)
			}
		}},
		{"automation flags", []string{playCat, "--frames", "30", "--screenshot", shot, "--size", "640x480", "--speed", "4",
			"--robot", "serial:/dev/ttyUSB0", "--profile", "aggressive", "--trace", filepath.Join(dir, "t.json")},
			func(t *testing.T, c *config.Window) {
				if c.Frames != 30 || c.Screenshot != shot || c.Width != 640 || c.Height != 480 || c.Speed != 4 ||
					c.Robot != "serial:/dev/ttyUSB0" || c.Profile != "aggressive" || c.Trace == "" {
					t.Errorf("flags not passed on: %+v", *c)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, errs, st := playCmd(t, true, tc.args...)
			if st != 0 {
				t.Fatalf("status %d: %s", st, errs)
			}
			tc.check(t, c)
		})
	}
}

// A file that cannot be opened says so on the terminal in one line, and
// the window opens all the same, on the demo, with the message (as for a
// file dropped on it); the exit status is 1. Bad usage opens nothing.
func TestPlayErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format": "mbotdraw", "strokes": [{"points": [[1, 2], [3`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		window bool
		args   []string
		status int
		want   string
		opens  bool // the window opens with the message
	}{
		{"headless", false, nil, 2, "mbotdraw, the window program", false},
		{"missing file", true, []string{filepath.Join(dir, "nope.json")}, 1, "nope.json", true},
		{"broken file", true, []string{bad}, 1, "bad.json", true},
		{"two files", true, []string{playCat, playCat}, 2, "unexpected argument", false},
		{"speed", true, []string{"--speed", "100"}, 2, "--speed", false},
		{"size", true, []string{"--size", "big"}, 2, "--size", false},
		{"tiny size", true, []string{"--size", "10x10"}, 2, "--size", false},
		{"profile", true, []string{"--profile", "turbo"}, 2, "--profile", false},
		{"robot", true, []string{"--robot", "bluetooth"}, 2, "--robot", false},
		{"frames", true, []string{"--frames", "-1"}, 2, "--frames", false},
		{"index and gallery", true, []string{playCat, "--index", "1", "--gallery"}, 2, "--gallery", false},
		{"index out of range", true, []string{playCat, "--index", "100000"}, 1, "cat.ndjson", true},
		{"screenshot folder", true, []string{"--screenshot", filepath.Join(dir, "no", "such", "x.png")}, 1, "does not exist", false},
		{"companion beyond loopback without a token", true, []string{"--listen", "0.0.0.0:1"}, 2, "--token", false},
		{"companion on every interface without a token", true, []string{"--listen", ":8766"}, 2, "--token", false},
		{"companion without a token, headless", false, []string{"--listen", "0.0.0.0:1"}, 2, "--token", false},
		{"companion address", true, []string{"--listen", "nowhere"}, 2, "--listen", false},
		{"token without companion", true, []string{"--token", "T"}, 2, "--listen", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, errs, st := playCmd(t, tc.window, tc.args...)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, errs)
			}
			switch {
			case tc.opens && c == nil:
				t.Error("the window did not open")
			case tc.opens && (c.OpenError == nil || c.Unopened == "" || c.Drawing != nil || c.File != ""):
				t.Errorf("the window opened on %q (drawing %v) with error %v for %q, want the demo with the error", c.File, c.Drawing != nil, c.OpenError, c.Unopened)
			case !tc.opens && c != nil:
				t.Error("the window opened")
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr %q does not say %q", errs, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(errs), "\n"); n > 0 {
				t.Errorf("error is %d lines, want one: %q", n+1, errs)
			}
		})
	}
}
