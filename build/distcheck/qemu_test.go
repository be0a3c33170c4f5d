//go:build distcheck

package distcheck

import (
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
