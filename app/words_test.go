package app

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"mbotdraw/app/config"
)

// TestPlotSummaryInPlainWords: without --verbose, plot says in one line
// how many lines the robot draws, about how long it takes and how much
// travel the order saves, with no millimetres, motions or frames.
func TestPlotSummaryInPlainWords(t *testing.T) {
	out, errOut, st := robotCmd(t, "", "plot", catFile, "--dry-run")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errOut)
	}
	re := regexp.MustCompile(`^\S*cat\.ndjson: \d+ lines to draw, about \d+ (seconds|minutes?), \d+ % less travel than in file order\n$`)
	if !re.MatchString(out) {
		t.Errorf("plot's summary:\n%s\nwant one plain line like %q", out, "cat.ndjson: 9 lines to draw, about 2 minutes, 52 % less travel than in file order")
	}
	for _, tech := range []string{"mm", "frames", "motions", "pen-down"} {
		if strings.Contains(out, tech) {
			t.Errorf("plot's summary says %q without --verbose:\n%s", tech, out)
		}
	}
}

func TestPluralAndAboutDuration(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 strokes"}, {1, "1 stroke"}, {2, "2 strokes"}} {
		if got := plural(tc.n, "stroke"); got != tc.want {
			t.Errorf("plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{3 * time.Second, "a few seconds"},
		{41 * time.Second, "about 40 seconds"},
		{70 * time.Second, "about 1 minute"},
		{115 * time.Second, "about 2 minutes"},
		{80 * time.Minute, "about 1 hour 20 minutes"},
		{2 * time.Hour, "about 2 hours"},
	} {
		if got := aboutDuration(tc.d); got != tc.want {
			t.Errorf("aboutDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestOneStrokeIsSingular: what the commands count reads right for one.
func TestOneStrokeIsSingular(t *testing.T) {
	dir := t.TempDir()
	one := dir + "/one.mbd.json"
	out, errs, st := renderCmd(t, nil, "gen", "--strokes", "1", "--seed", "1", "-o", one)
	if st != 0 || !strings.Contains(out, ": 1 stroke,") {
		t.Fatalf("gen: status %d, %q %q; want it to say 1 stroke", st, out, errs)
	}
	out, errs, st = renderCmd(t, nil, "convert", one, dir+"/one.svg")
	if st != 0 || !strings.Contains(out, ": 1 stroke,") {
		t.Errorf("convert: status %d, %q %q; want it to say 1 stroke", st, out, errs)
	}
	out, errs, st = renderCmd(t, nil, "export", one, "--png", dir+"/one.png")
	if st != 0 || !strings.Contains(out, "PNG of 1 stroke\n") {
		t.Errorf("export: status %d, %q %q; want it to say 1 stroke", st, out, errs)
	}
}

// TestHelpListsEveryCommand: --help lists every command once, the
// everyday ones (play, plot, ports, calibrate, convert, info) before the
// developers' (bench, loadtest).
func TestHelpListsEveryCommand(t *testing.T) {
	out, _, st := renderCmd(t, nil, "--help")
	if st != 0 {
		t.Fatalf("status %d", st)
	}
	at := map[string]int{}
	for _, c := range commands {
		line := "mbotdraw-headless " + c.usage + "\n"
		if n := strings.Count(out, line); n != 1 {
			t.Errorf("--help lists %q %d times, want once", c.name, n)
		}
		at[c.name] = strings.Index(out, line)
	}
	for _, every := range []string{"play", "plot", "ports", "calibrate", "convert", "info"} {
		for _, dev := range []string{"bench", "loadtest"} {
			if at[every] > at[dev] {
				t.Errorf("--help lists %s after %s", every, dev)
			}
		}
	}
}

// TestPlaySaveFlags: --save-dir (or --out-dir) names the save folder, which
// may not exist yet but must not be a file; --gif-width is checked.
func TestPlaySaveFlags(t *testing.T) {
	dir := t.TempDir()
	var got config.Window
	win := func(c config.Window) error { got = c; return nil }
	for _, tc := range []struct {
		args   []string
		status int
		outDir string
	}{
		{[]string{"--save-dir", dir + "/new"}, 0, dir + "/new"},
		{[]string{"--out-dir", dir}, 0, dir},
		{[]string{"--gif-width", "50"}, 2, ""},
		{[]string{"--save-dir", exportCat}, 1, ""},
	} {
		got = config.Window{}
		_, errs, st := renderCmd(t, win, append([]string{"play"}, tc.args...)...)
		if st != tc.status || got.OutDir != tc.outDir {
			t.Errorf("play %v: status %d (%q), save folder %q; want %d and %q", tc.args, st, errs, got.OutDir, tc.status, tc.outDir)
		}
	}
}
