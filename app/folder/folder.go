// Package folder finds the folders where mbotdraw keeps what people save
// (the user's Pictures folder, mbotdraw inside it) and its own settings
// (the user's config folder), says paths and write failures in plain
// words, and opens a folder in the desktop's file manager.
//
// The Pictures folder is the one the desktop names: on Linux and the BSDs
// XDG_PICTURES_DIR from user-dirs.dirs (default ~/Pictures); on Windows the
// known folder FOLDERID_Pictures (which follows a Pictures folder moved to
// another drive or OneDrive); on macOS ~/Pictures.
package folder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// App is the name of the folder mbotdraw saves into, inside Pictures, and
// keeps its settings in, inside the config folder.
const App = "mbotdraw"

// Pictures returns the user's Pictures folder (it may not exist yet).
func Pictures() (string, error) {
	if p := picturesOS(); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find your home folder: %w", err)
	}
	return filepath.Join(home, "Pictures"), nil
}

// Saves returns the folder saves go to, creating it (and its parents) if
// missing: dir when set (--save-dir), else Pictures/mbotdraw.
func Saves(dir string) (string, error) {
	if dir == "" {
		pics, err := Pictures()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(pics, App)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return dir, errors.New(Explain(dir, err))
	}
	return dir, nil
}

// Config returns mbotdraw's settings folder inside the user's config
// folder (~/.config/mbotdraw, %AppData%\mbotdraw), creating it if missing.
func Config() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find your settings folder: %w", err)
	}
	dir := filepath.Join(base, App)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return dir, errors.New(Explain(dir, err))
	}
	return dir, nil
}

// Display returns path as people read it: inside the home folder without
// it ("Pictures/mbotdraw/Garden.png"), else whole.
func Display(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return path
	}
	rel, err := filepath.Rel(home, path)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return path
	}
	return filepath.ToSlash(rel)
}

// Explain says why a write into dir failed, in plain words: "cannot write
// to /media/usb: read-only".
func Explain(dir string, err error) string {
	why := err.Error()
	var errno syscall.Errno
	switch {
	case errors.Is(err, syscall.EROFS):
		why = "read-only"
	case errors.Is(err, syscall.ENOSPC):
		why = "the disk is full"
	case errors.Is(err, fs.ErrPermission):
		why = "you are not allowed to write there"
	case errors.Is(err, fs.ErrNotExist):
		why = "the folder does not exist"
	case errors.Is(err, syscall.ENOTDIR):
		why = "a file of that name is in the way"
	case errors.As(err, &errno):
		why = errno.Error()
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			why = pe.Err.Error()
		}
	}
	return "cannot write to " + Display(dir) + ": " + why
}
