package app

import (
	"runtime"
	"strings"
	"testing"
)

// --version and "version" print one line: the program, its version, the
// commit (or "unknown"), the Go release and the platform.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		stdout, stderr, status := fileCmd(t, arg)
		if status != 0 || stderr != "" {
			t.Fatalf("%s: status %d, stderr %q", arg, status, stderr)
		}
		line := strings.TrimSuffix(stdout, "\n")
		if strings.Contains(line, "\n") || !strings.HasPrefix(line, "mbotdraw-headless ") ||
			!strings.Contains(line, runtime.Version()) || !strings.Contains(line, runtime.GOOS+"/"+runtime.GOARCH) ||
			!strings.Contains(line, "commit ") {
			t.Errorf("%s printed %q", arg, stdout)
		}
	}
	stdout, _, _ := fileCmd(t, "--help")
	if !strings.Contains(stdout, "--version") {
		t.Errorf("--help does not mention --version:\n%s", stdout)
	}
}
