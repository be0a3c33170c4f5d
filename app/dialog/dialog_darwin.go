package dialog

import (
	"os/exec"
	"strings"
)

func program() string {
	if p, err := exec.LookPath("osascript"); err == nil {
		return p
	}
	return ""
}

// args runs AppleScript's choose file; cancelling is error -128, exit 1.
func args(_ string, o Options) []string {
	q := func(s string) string { return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"` }
	s := "POSIX path of (choose file with prompt " + q(o.Title)
	if o.Dir != "" {
		s += " default location (POSIX file " + q(o.Dir) + ")"
	}
	return []string{"-e", s + ")"}
}
