package app

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether v is an *os.File open on a terminal (not a
// pipe, a file or /dev/null).
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil && os.Getenv("TERM") != "dumb"
}
