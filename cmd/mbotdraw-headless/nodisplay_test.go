package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestWindowProgramWithoutDisplay builds both programs and runs the window
// program, mbotdraw, with no display: every command without a window works
// (it runs them in mbotdraw-headless beside it), play says in one line that
// the window cannot open, and without mbotdraw-headless beside it mbotdraw
// says so in one line; never a Go stack trace.
func TestWindowProgramWithoutDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check is for X11 on Linux")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the programs with")
	}
	dir := t.TempDir()
	build := exec.Command(gobin, "build", "-o", dir+string(filepath.Separator), "mbotdraw", "mbotdraw/cmd/mbotdraw-headless")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cat, err := filepath.Abs("../../testdata/real/quickdraw/raw/cat.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	run := func(prog, display string, args ...string) (string, int) {
		cmd := exec.Command(filepath.Join(dir, prog), args...)
		cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
		if display != "" {
			cmd.Env = append(cmd.Env, "DISPLAY="+display)
		}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "goroutine") || strings.Contains(string(out), "panic") {
			t.Errorf("%s %v: a Go stack trace:\n%s", prog, args, out)
		}
		return string(out), code
	}
	for _, display := range []string{"", ":97"} { // none, and one that does not answer
		for _, tc := range []struct {
			args []string
			code int
			say  string
		}{
			{[]string{"--help"}, 0, "Everyday:"},
			{[]string{"info", cat}, 0, "cat"},
			{nil, 1, "the window cannot open"},
			{[]string{"play", cat}, 1, "the window cannot open"},
		} {
			out, code := run("mbotdraw", display, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.say) {
				t.Errorf("DISPLAY=%q mbotdraw %v: status %d, output %q; want %d and %q", display, tc.args, code, out, tc.code, tc.say)
			}
			if code != 0 && strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Errorf("DISPLAY=%q mbotdraw %v: %q is not one line", display, tc.args, out)
			}
			if strings.Contains(out, "mbotdraw-headless") {
				t.Errorf("DISPLAY=%q mbotdraw %v calls itself mbotdraw-headless: %q", display, tc.args, out)
			}
		}
	}
	if err := os.Remove(filepath.Join(dir, "mbotdraw-headless")); err != nil {
		t.Fatal(err)
	}
	out, code := run("mbotdraw", "", "--help")
	if code != 1 || !strings.Contains(out, "mbotdraw-headless") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("without mbotdraw-headless: status %d, %q; want 1 and one line naming it", code, out)
	}
}
