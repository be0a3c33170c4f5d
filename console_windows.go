//go:build windows

package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/windows"
)

// withConsole runs the program so that its words reach the user although
// the release build is a GUI program (-H windowsgui, so that no console
// window flashes up when a teacher double-clicks it or a drawing):
//
//   - started from a console (cmd, PowerShell), it writes there: the
//     program attaches to its parent's console;
//   - with its output redirected to a file or a pipe, it writes there;
//   - started from Explorer, with no console at all, what it would have
//     written to stderr is shown in a message box when it ends with an
//     error, so a drawing that cannot be opened still says why.
func withConsole(run func() int) int {
	outOK, errOK := hasStd(windows.STD_OUTPUT_HANDLE), hasStd(windows.STD_ERROR_HANDLE)
	if outOK && errOK {
		return run()
	}
	if attachParentConsole() {
		reopenStd(outOK, errOK)
		return run()
	}
	// No console: keep stderr for a message box.
	r, w, err := os.Pipe()
	if err != nil {
		return run()
	}
	var (
		buf  bytes.Buffer
		done sync.WaitGroup
	)
	done.Add(1)
	go func() { defer done.Done(); io.Copy(&buf, io.LimitReader(r, 64<<10)); io.Copy(io.Discard, r) }()
	os.Stderr = w
	if !outOK {
		os.Stdout = w // --help and --version go to the box too
	}
	status := run()
	w.Close()
	done.Wait()
	if msg := strings.TrimSpace(buf.String()); msg != "" {
		messageBox("mbotdraw", msg, status != 0)
	}
	return status
}

// hasStd reports whether a standard handle leads somewhere: a console, a
// file or a pipe.
func hasStd(which uint32) bool {
	h, err := windows.GetStdHandle(which)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentConsole attaches to the console of the program that started
// this one, if it has one.
func attachParentConsole() bool {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	r, _, _ := procAttachConsole.Call(attachParentProcess)
	return r != 0
}

// reopenStd points stdout and stderr at the attached console, each unless
// it was redirected (outOK, errOK: it was, before attaching).
func reopenStd(outOK, errOK bool) {
	out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	if !outOK {
		os.Stdout = out
	}
	if !errOK {
		os.Stderr = out
	}
}

func messageBox(title, text string, isError bool) {
	t, err1 := windows.UTF16PtrFromString(text)
	c, err2 := windows.UTF16PtrFromString(title)
	if err1 != nil || err2 != nil {
		return
	}
	flags := uint32(windows.MB_OK | windows.MB_ICONINFORMATION)
	if isError {
		flags = windows.MB_OK | windows.MB_ICONERROR
	}
	windows.MessageBox(0, t, c, flags)
}
