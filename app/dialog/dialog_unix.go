//go:build !windows && !darwin

package dialog

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// program is the dialog program found on PATH: zenity, else kdialog.
func program() string {
	for _, p := range []string{"zenity", "kdialog"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

func args(prog string, o Options) []string {
	dir := o.Dir
	if dir != "" {
		dir = strings.TrimSuffix(dir, "/") + "/"
	}
	if filepath.Base(prog) == "kdialog" {
		a := []string{"--getopenfilename", dir}
		if len(o.Patterns) > 0 {
			a = append(a, strings.Join(o.Patterns, " "))
		}
		if o.Title != "" {
			a = append(a, "--title", o.Title)
		}
		return a
	}
	a := []string{"--file-selection"}
	if o.Title != "" {
		a = append(a, "--title="+o.Title)
	}
	if dir != "" {
		a = append(a, "--filename="+dir)
	}
	if len(o.Patterns) > 0 {
		a = append(a, "--file-filter=Drawings | "+strings.Join(o.Patterns, " "), "--file-filter=All files | *")
	}
	return a
}
