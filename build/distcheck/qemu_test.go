//go:build distcheck

package distcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The Raspberry Pi programs under qemu-user: the same output as this
// computer's for info, convert, plot --dry-run and bench.
func TestRaspberryPiUnderQemu(t *testing.T) {
	for _, c := range []struct{ plat, qemu, arch string }{
		{"linux-arm64", "qemu-aarch64-static", "linux/arm64"},
		{"linux-armv7", "qemu-arm-static", "linux/arm"},
	} {
		t.Run(c.plat, func(t *testing.T) {
			qemu, err := exec.LookPath(c.qemu)
			if err != nil {
				t.Skipf("skipped: %s is missing (Debian package qemu-user-static; build/deps.sh installs it)", c.qemu)
			}
			pi, _ := extract(t, archives(t)[c.plat])
			bin := filepath.Join(pi, "mbotdraw-headless")
			dir, file := drawingDir(t)
			r := run(t, dir, nil, nil, qemu, bin, "--version")
			if r.Status != 0 || !strings.Contains(r.Stdout, c.arch) {
				t.Fatalf("--version under qemu: %+v", r)
			}
			t.Logf("under qemu: %s", strings.TrimSpace(r.Stdout))
			compare(t, dir, file, native(t, linuxHeadless(t), dir), func(outputs []string, args ...string) result {
				return run(t, dir, nil, outputs, append([]string{qemu, bin}, args...)...)
			})
		})
	}
}

// Package tests built for arm64 and run under qemu-user, each in its own
// folder (for its testdata): the Makeblock protocol and the links (serial
// over a pseudo-terminal, the virtual mBot, the 2.4G dongle's reports).
func TestRaspberryPiPackageTestsUnderQemu(t *testing.T) {
	qemu, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		t.Skip("skipped: qemu-aarch64-static is missing (Debian package qemu-user-static; build/deps.sh installs it)")
	}
	for _, pkg := range []string{"robot/mblock", "robot/link"} {
		t.Run(pkg, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), filepath.Base(pkg)+".test")
			build := exec.Command("go", "test", "-c", "-o", bin, "../../"+pkg)
			build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go test -c for arm64: %v\n%s", err, out)
			}
			if r := run(t, filepath.Join("../..", pkg), nil, nil, qemu, bin); r.Status != 0 {
				t.Errorf("%s under qemu: status %d\n%s\n%s", pkg, r.Status, r.Stdout, r.Stderr)
			}
		})
	}
}
