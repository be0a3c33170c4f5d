package folder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestUserDirs(t *testing.T) {
	home := "/home/ada"
	data := []byte(`# This file is written by xdg-user-dirs-update
XDG_DESKTOP_DIR="$HOME/Desktop"
XDG_PICTURES_DIR="$HOME/Bilder"
XDG_MUSIC_DIR="/srv/music"
XDG_VIDEOS_DIR="videos"
XDG_TEMPLATES_DIR=$HOME/Templates
XDG_PUBLICSHARE_DIR="$HOME/My \"Public\""
  XDG_DOCUMENTS_DIR="$HOME"
NOT_XDG="$HOME/x"
`)
	got := UserDirs(data, home)
	want := map[string]string{
		"XDG_DESKTOP_DIR":     "/home/ada/Desktop",
		"XDG_PICTURES_DIR":    "/home/ada/Bilder",
		"XDG_MUSIC_DIR":       "/srv/music",
		"XDG_PUBLICSHARE_DIR": `/home/ada/My "Public"`,
		"XDG_DOCUMENTS_DIR":   "/home/ada",
	}
	if runtime.GOOS == "windows" {
		t.Skip("paths with forward slashes")
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func FuzzUserDirs(f *testing.F) {
	f.Add([]byte("XDG_PICTURES_DIR=\"$HOME/Pictures\"\n"))
	f.Add([]byte("XDG_X_DIR=\"\\\"\n# c\nXDG_Y_DIR=\"/a/../../b\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k, v := range UserDirs(data, "/home/u") {
			if !strings.HasPrefix(k, "XDG_") || !filepath.IsAbs(v) {
				t.Fatalf("%q = %q: want an XDG_ name and an absolute path", k, v)
			}
		}
	})
}

// TestSavesGoToPictures: the saves folder is mbotdraw in the Pictures
// folder user-dirs.dirs names, created when missing; --save-dir wins.
func TestSavesGoToPictures(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("user-dirs.dirs is for Linux and the BSDs")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_PICTURES_DIR", "")
	dir, err := Saves("")
	if err != nil || dir != filepath.Join(home, "Pictures", "mbotdraw") {
		t.Fatalf("without user-dirs.dirs: %q, %v; want ~/Pictures/mbotdraw", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte(`XDG_PICTURES_DIR="$HOME/Bilder"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err = Saves("")
	if err != nil || dir != filepath.Join(home, "Bilder", "mbotdraw") {
		t.Fatalf("with user-dirs.dirs: %q, %v; want ~/Bilder/mbotdraw", dir, err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("the saves folder was not created: %v", err)
	}
	if got := Display(filepath.Join(dir, "Cat.png")); got != "Bilder/mbotdraw/Cat.png" {
		t.Errorf("Display = %q, want Bilder/mbotdraw/Cat.png", got)
	}
	own := filepath.Join(home, "usb", "class")
	if dir, err := Saves(own); err != nil || dir != own {
		t.Errorf("--save-dir: %q, %v; want %q", dir, err, own)
	}
	blocker := filepath.Join(home, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Saves(filepath.Join(blocker, "sub")); err == nil || err.Error() != "cannot write to file/sub: a file of that name is in the way" {
		t.Errorf("a file in the way: %v", err)
	}
}

func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/media/usb/x.png", Err: syscall.EROFS}, "cannot write to /media/usb: read-only"},
		{&fs.PathError{Op: "open", Path: "/media/usb/x.png", Err: syscall.ENOSPC}, "cannot write to /media/usb: the disk is full"},
		{&fs.PathError{Op: "open", Path: "/media/usb/x.png", Err: syscall.EACCES}, "cannot write to /media/usb: you are not allowed to write there"},
		{errors.New("odd"), "cannot write to /media/usb: odd"},
	} {
		if got := Explain("/media/usb", tc.err); got != tc.want {
			t.Errorf("Explain(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
