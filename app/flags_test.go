package app

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// flagHelp returns the help of flag name as `cmd --help` prints it: the
// flag's line and its description.
func flagHelp(t *testing.T, cmd, name string) string {
	t.Helper()
	_, e, _ := robotCmd(t, "", cmd, "--help")
	m := regexp.MustCompile(`(?m)^  -` + name + `\b.*\n\s+(.*)$`).FindStringSubmatch(e)
	if m == nil {
		t.Fatalf("%s --help shows no --%s:\n%s", cmd, name, e)
	}
	return m[0]
}

// The flags several commands share read the same everywhere: the same
// argument name, help and default, with at most a note after the common
// help saying what this command takes.
func TestSharedFlagsReadTheSame(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmds []string
	}{
		{"robot", []string{"plot", "calibrate", "bridge", "play"}},
		{"time-scale", []string{"plot", "calibrate", "bridge"}},
		{"calibration", []string{"plot", "calibrate", "bridge"}},
		{"seed", []string{"gen", "bench"}},
	} {
		// The first command adds no note.
		first := flagHelp(t, tc.cmds[0], tc.name)
		def := regexp.MustCompile(` \(default .*\)$`)
		base := def.ReplaceAllString(first, "")
		for _, cmd := range tc.cmds[1:] {
			got := flagHelp(t, cmd, tc.name)
			if got != first && !strings.HasPrefix(def.ReplaceAllString(got, ""), base+"; ") {
				t.Errorf("--%s in %s:\n%s\nin %s:\n%s", tc.name, tc.cmds[0], first, cmd, got)
			}
		}
	}
	for _, cmd := range []string{"gen", "bench"} {
		if h := flagHelp(t, cmd, "seed"); !strings.HasSuffix(h, "(default 1)") {
			t.Errorf("%s --seed: %q; want the default 1", cmd, h)
		}
	}
}

// gen without --seed writes the drawing seed 1 gives, the seed bench
// generates its drawing with by default.
func TestGenDefaultSeedIsBenchs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, args := range [][]string{
		{"gen", "--strokes", "40", "-o", a},
		{"gen", "--strokes", "40", "--seed", "1", "-o", b},
	} {
		if _, e, st := fileCmd(t, args...); st != 0 {
			t.Fatalf("%v: status %d, %q", args, st, e)
		}
	}
	if !bytes.Equal(readFile(t, a), readFile(t, b)) {
		t.Error("gen without --seed is not gen --seed 1")
	}
}
