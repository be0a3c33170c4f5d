package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// progID is the Windows name of the file type "mbotdraw drawing".
const progID = "mbotdraw.drawing"

// ownExts are drawing extensions that no common program opens: register
// makes mbotdraw their default when they have none. sharedExts (.json,
// .svg) only gain mbotdraw in "Open with".
var (
	ownExts    = []string{".ndjson", ".inkml", ".svc", ".tldr", ".excalidraw", ".excalidrawlib"}
	sharedExts = []string{".json", ".svg"}
)

// regStore is the part of the Windows registry register writes: keys under
// HKEY_CURRENT_USER\Software\Classes, so no administrator rights are needed.
type regStore interface {
	// Get returns a key's string value ("" for the default value), or ""
	// when it is not there.
	Get(key, name string) string
	// Set creates the key as needed and sets a string value.
	Set(key, name, value string) error
	// DeleteValue removes a value; a missing one is not an error.
	DeleteValue(key, name string) error
	// DeleteTree removes a key and everything under it; a missing one is
	// not an error.
	DeleteTree(key string) error
}

// runRegister adds mbotdraw to Windows' "Open with" for drawing files, and
// makes it the default for the drawing extensions that have none, so that
// double-clicking a drawing opens it; --undo takes it all back.
func runRegister(env *Env, args []string) error {
	fs := newFlags(env, "register")
	undo := fs.Bool("undo", false, "remove what register added")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		return fmt.Errorf("register is for Windows; on Linux, right-click a drawing, choose Open With, and pick %s", "mbotdraw")
	}
	reg, err := openRegistry()
	if err != nil {
		return err
	}
	if *undo {
		if err := unregister(reg); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "mbotdraw no longer opens drawings by double-click.")
		return nil
	}
	exe, err := windowProgram()
	if err != nil {
		return err
	}
	if err := register(reg, exe); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Done: double-click a %s file to open it with %s; for .json and .svg files, right-click and choose Open with.\n",
		strings.Join(ownExts[:3], ", "), exe)
	return nil
}

// windowProgram finds mbotdraw.exe: this program, or beside it.
func windowProgram() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("register: cannot tell where this program is: %w", err)
	}
	exe := filepath.Join(filepath.Dir(self), "mbotdraw.exe")
	if _, err := os.Stat(exe); err != nil {
		return "", fmt.Errorf("register: mbotdraw.exe is not in %s; run register from the unzipped mbotdraw folder", filepath.Dir(self))
	}
	return exe, nil
}

const classes = `Software\Classes\`

// register writes the file type and the extensions' links to it.
func register(reg regStore, exe string) error {
	cmd := fmt.Sprintf(`"%s" "%%1"`, exe)
	sets := [][3]string{
		{classes + progID, "", "mbotdraw drawing"},
		{classes + progID + `\DefaultIcon`, "", fmt.Sprintf(`"%s",0`, exe)},
		{classes + progID + `\shell\open\command`, "", cmd},
	}
	for _, ext := range append(append([]string(nil), ownExts...), sharedExts...) {
		sets = append(sets, [3]string{classes + ext + `\OpenWithProgids`, progID, ""})
	}
	for _, ext := range ownExts {
		if cur := reg.Get(classes+ext, ""); cur == "" || cur == progID {
			sets = append(sets, [3]string{classes + ext, "", progID})
		}
	}
	for _, s := range sets {
		if err := reg.Set(s[0], s[1], s[2]); err != nil {
			return fmt.Errorf("register: HKEY_CURRENT_USER\\%s: %w", s[0], err)
		}
	}
	return nil
}

// unregister removes what register wrote, leaving other programs' links.
func unregister(reg regStore) error {
	for _, ext := range append(append([]string(nil), ownExts...), sharedExts...) {
		if err := reg.DeleteValue(classes+ext+`\OpenWithProgids`, progID); err != nil {
			return fmt.Errorf("register --undo: %s: %w", ext, err)
		}
		if reg.Get(classes+ext, "") == progID {
			if err := reg.Set(classes+ext, "", ""); err != nil {
				return fmt.Errorf("register --undo: %s: %w", ext, err)
			}
		}
	}
	if err := reg.DeleteTree(classes + progID); err != nil {
		return fmt.Errorf("register --undo: %w", err)
	}
	return nil
}
