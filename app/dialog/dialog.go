// Package dialog opens the desktop's own "open a file" dialog where one
// can be had without a library: zenity or kdialog on Linux and the BSDs
// (if installed), the Windows Forms dialog through PowerShell on Windows,
// AppleScript's "choose file" on macOS. The dialog runs as a separate
// program, so the caller's window keeps drawing meanwhile.
package dialog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNone says that no file dialog is available here.
var ErrNone = errors.New("no file dialog is available on this computer")

// Options describe the dialog. The zero value asks for any file, starting
// wherever the dialog likes.
type Options struct {
	// Title is the dialog's title.
	Title string
	// Dir is the folder it starts in ("": the dialog's choice).
	Dir string
	// Patterns are the file name patterns offered ("*.json", "*.svg").
	Patterns []string
}

// Available reports whether OpenFile has a dialog to show.
func Available() bool { return program() != "" }

// OpenFile shows the dialog and returns the file chosen, or "" when the
// user cancelled. ctx ends the dialog.
func OpenFile(ctx context.Context, o Options) (string, error) {
	prog := program()
	if prog == "" {
		return "", ErrNone
	}
	cmd := exec.CommandContext(ctx, prog, args(prog, o)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	path := strings.TrimRight(out.String(), "\r\n")
	var ee *exec.ExitError
	switch {
	case err == nil:
		return path, nil
	case errors.As(err, &ee) && path == "" && ee.ExitCode() == 1:
		return "", nil // cancelled
	}
	msg := strings.TrimSpace(errb.String())
	if msg == "" {
		msg = err.Error()
	}
	return "", fmt.Errorf("the file dialog (%s) failed: %s", prog, firstLine(msg))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
