//go:build distcheck

package distcheck

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wine finds Debian's wine64 loader: /usr/lib/wine/wine64 (package wine64),
// or wine64 or wine on PATH.
func wine(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/lib/wine/wine64", "wine64", "wine"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("skipped: Wine is not installed (Debian package wine64; build/deps.sh installs it)")
	return ""
}

// winePrefix makes a throwaway Wine prefix. Wine 8.0 (Debian 12) lacks
// ProcessPrng in bcryptprimitives.dll, which Go 1.24 and later call at
// start-up on Windows 10 and later; the prefix gets a stand-in DLL that
// forwards ProcessPrng to advapi32's SystemFunction036 (RtlGenRandom),
// linked with binutils-mingw-w64-x86-64. Windows itself needs nothing.
func winePrefix(t *testing.T, wine string) []string {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "wineprefix")
	env := []string{"WINEPREFIX=" + prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "LANG=C.UTF-8"}
	boot := exec.Command(wine, "wineboot", "-i")
	boot.Env = append(os.Environ(), env...)
	if out, err := boot.CombinedOutput(); err != nil {
		t.Fatalf("wineboot: %v\n%s", err, out)
	}
	sys32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	if hasProcessPrng() {
		return env
	}
	ld, err := exec.LookPath("x86_64-w64-mingw32-ld")
	if err != nil {
		t.Skip("skipped: this Wine lacks ProcessPrng, and x86_64-w64-mingw32-ld (Debian package binutils-mingw-w64-x86-64) is missing to make the stand-in")
	}
	dir := t.TempDir()
	def := filepath.Join(dir, "bcryptprimitives.def")
	os.WriteFile(def, []byte("LIBRARY bcryptprimitives.dll\nEXPORTS\nProcessPrng = advapi32.SystemFunction036\n"), 0o644)
	cmd := exec.Command(ld, "--dll", "-e", "0", "--no-insert-timestamp", "-o", filepath.Join(sys32, "bcryptprimitives.dll"), def)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the ProcessPrng stand-in: %v\n%s", err, out)
	}
	return env
}

// hasProcessPrng reports whether this Wine has its own bcryptprimitives.dll
// (Wine 9 and later).
func hasProcessPrng() bool {
	m, _ := filepath.Glob("/usr/lib/*/wine/x86_64-windows/bcryptprimitives.dll")
	m2, _ := filepath.Glob("/usr/lib/wine/x86_64-windows/bcryptprimitives.dll")
	return len(m)+len(m2) > 0
}

// winPath turns a Linux path into the one Wine's programs see (drive Z: is
// the Linux root).
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// The Windows headless program under Wine: the same output as the Linux
// one for info, convert, plot --dry-run and bench, on a real drawing in a
// folder and a file whose names have spaces and accents.
func TestWindowsHeadlessUnderWine(t *testing.T) {
	wine := wine(t)
	env := winePrefix(t, wine)
	win, _ := extract(t, archives(t)["windows-amd64"])
	exe := filepath.Join(win, "mbotdraw-headless.exe")
	dir, file := drawingDir(t)
	r := run(t, dir, env, nil, wine, exe, "--version")
	if r.Status != 0 || !strings.Contains(r.Stdout, "windows/amd64") {
		t.Fatalf("--version under Wine: %+v", r)
	}
	t.Logf("under Wine: %s", strings.TrimSpace(r.Stdout))
	compare(t, dir, file, native(t, linuxHeadless(t), dir), func(outputs []string, args ...string) result {
		return run(t, dir, env, outputs, append([]string{wine, exe}, args...)...)
	})
	// A whole Windows path as double-clicking a drawing gives it.
	r = run(t, dir, env, nil, wine, exe, "info", winPath(filepath.Join(dir, file)))
	if r.Status != 0 || !strings.Contains(r.Stdout, "strokes:") {
		t.Errorf("info with a Windows path: %+v", r)
	}
	// Robots on Windows: COM ports by name, a plain sentence for one that
	// is not there, and for the dongle, which is Linux-only so far.
	for _, c := range []struct{ robot, want string }{
		{"serial:COM9", "serial port COM9: no such port"},
		{"COM9", "serial port COM9: no such port"},
		{"hid:", "2.4G dongle: not supported on Windows yet"},
	} {
		r := run(t, dir, env, nil, wine, exe, "plot", file, "--robot", c.robot)
		if r.Status != 1 || !strings.Contains(r.Stderr, c.want) || strings.Contains(r.Stderr, "goroutine") {
			t.Errorf("plot --robot %s: status %d, stderr %q, want %q", c.robot, r.Status, r.Stderr, c.want)
		}
	}
	if r := run(t, dir, env, nil, wine, exe, "ports"); r.Status != 0 || !strings.Contains(r.Stdout, "CH340 driver") {
		t.Errorf("ports under Wine: %+v", r)
	}
	// register writes the association into the (Wine) registry, and
	// --undo takes it out.
	const key = `HKCU\Software\Classes\mbotdraw.drawing\shell\open\command`
	if r := run(t, win, env, nil, wine, exe, "register"); r.Status != 0 || !strings.Contains(r.Stdout, "Done") {
		t.Fatalf("register: %+v", r)
	}
	q := run(t, win, env, nil, wine, "reg", "query", key)
	if q.Status != 0 || !strings.Contains(q.Stdout, `mbotdraw.exe" "%1"`) {
		t.Errorf("after register, %s: %+v", key, q)
	}
	q = run(t, win, env, nil, wine, "reg", "query", `HKCU\Software\Classes\.ndjson`)
	if !strings.Contains(q.Stdout, "mbotdraw.drawing") {
		t.Errorf("after register, .ndjson: %+v", q)
	}
	if r := run(t, win, env, nil, wine, exe, "register", "--undo"); r.Status != 0 {
		t.Fatalf("register --undo: %+v", r)
	}
	if q := run(t, win, env, nil, wine, "reg", "query", key); q.Status == 0 {
		t.Errorf("after register --undo, %s is still there: %+v", key, q)
	}
}

// The Windows window program (-H windowsgui) under Wine and Xvfb: it plays
// the demo for 120 frames and saves a screenshot that shows it.
func TestWindowsWindowUnderWine(t *testing.T) {
	wine := wine(t)
	xvfb, err := exec.LookPath("xvfb-run")
	if err != nil {
		t.Skip("skipped: xvfb-run is missing (Debian package xvfb)")
	}
	env := winePrefix(t, wine)
	win, _ := extract(t, archives(t)["windows-amd64"])
	dir := t.TempDir()
	r := run(t, dir, env, nil, xvfb, "-a", "-s", "-screen 0 1280x1024x24", wine, filepath.Join(win, "mbotdraw.exe"), "--frames", "120", "--screenshot", "shot.png")
	if r.Status != 0 {
		t.Fatalf("mbotdraw.exe under Wine and Xvfb: status %d\nstdout: %s\nstderr: %s", r.Status, r.Stdout, r.Stderr)
	}
	f, err := os.Open(filepath.Join(dir, "shot.png"))
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, r.Stderr)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The demo is drawn in colour on white paper in a navy frame: count the
	// colours seen.
	colours := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
		}
	}
	if b.Dx() < 320 || len(colours) < 8 {
		t.Errorf("screenshot %v with %d colours does not look like the demo", b, len(colours))
	}
	t.Logf("screenshot %v, %d colours; a copy is in bin/wine-screenshot.png", b, len(colours))
	if data, err := os.ReadFile(filepath.Join(dir, "shot.png")); err == nil {
		os.MkdirAll("../../bin", 0o755)
		os.WriteFile("../../bin/wine-screenshot.png", data, 0o644)
	}
	// What a double-click on a drawing runs: the program with the file's
	// whole Windows path, spaces and accents included.
	ddir, file := drawingDir(t)
	r = run(t, dir, env, nil, xvfb, "-a", "-s", "-screen 0 1280x1024x24", wine, filepath.Join(win, "mbotdraw.exe"),
		winPath(filepath.Join(ddir, file)), "--frames", "60", "--screenshot", "file.png")
	if _, err := os.Stat(filepath.Join(dir, "file.png")); r.Status != 0 || err != nil {
		t.Errorf("mbotdraw.exe %s under Wine: status %d, %v\n%s", winPath(filepath.Join(ddir, file)), r.Status, err, r.Stderr)
	}
}

// The save folder (window-b's app/folder) on Windows: the shell's known
// folder for Pictures, with mbotdraw inside it, created. And the version
// package's tests, built for Windows.
func TestWindowsFoldersUnderWine(t *testing.T) {
	wine := wine(t)
	env := winePrefix(t, wine)
	exe := filepath.Join(t.TempDir(), "pictures.exe")
	build := exec.Command("go", "build", "-o", exe, "./testdata/pictures")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building for Windows: %v\n%s", err, out)
	}
	r := run(t, t.TempDir(), env, nil, wine, exe)
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(r.Stdout, "\r\n", "\n")), "\n")
	if r.Status != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], `C:\users\`) || !strings.HasSuffix(lines[0], `\Pictures`) ||
		lines[1] != lines[0]+`\mbotdraw` {
		t.Fatalf("Pictures under Wine: %+v", r)
	}
	t.Logf("saves go to %s", lines[1])

	vt := filepath.Join(t.TempDir(), "version.test.exe")
	build = exec.Command("go", "test", "-c", "-o", vt, "mbotdraw/version")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c for Windows: %v\n%s", err, out)
	}
	if r := run(t, t.TempDir(), env, nil, wine, vt); r.Status != 0 {
		t.Errorf("version tests under Wine: %s\n%s", r.Stdout, r.Stderr)
	}
}
