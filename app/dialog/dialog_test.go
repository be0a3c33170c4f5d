//go:build !windows && !darwin

package dialog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeProgram puts a zenity on PATH that logs its arguments and answers
// with answer and exit status code.
func fakeProgram(t *testing.T, answer string, code int) (logPath string) {
	t.Helper()
	dir := t.TempDir()
	logPath = filepath.Join(dir, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + logPath + "\nprintf '" + answer + "'\nexit " + string(rune('0'+code)) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "zenity"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return logPath
}

func TestOpenFileWithZenity(t *testing.T) {
	for _, tc := range []struct {
		answer string
		code   int
		want   string
		err    bool
	}{
		{"/home/ada/cat.ndjson\n", 0, "/home/ada/cat.ndjson", false},
		{"", 1, "", false}, // cancelled
		{"", 5, "", true},
	} {
		log := fakeProgram(t, tc.answer, tc.code)
		if !Available() {
			t.Fatal("zenity on PATH, but no dialog available")
		}
		got, err := OpenFile(context.Background(), Options{Title: "Open a drawing", Dir: "/home/ada", Patterns: []string{"*.json", "*.svg"}})
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("zenity answering %q, status %d: %q, %v; want %q (error %v)", tc.answer, tc.code, got, err, tc.want, tc.err)
		}
		args, _ := os.ReadFile(log)
		for _, want := range []string{"--file-selection", "--title=Open a drawing", "--filename=/home/ada/", "*.json *.svg"} {
			if !strings.Contains(string(args), want) {
				t.Errorf("zenity got %q, want %q among its arguments", args, want)
			}
		}
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := OpenFile(context.Background(), Options{}); err != ErrNone || Available() {
		t.Errorf("with no dialog program: %v, want ErrNone", err)
	}
}
