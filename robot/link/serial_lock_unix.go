//go:build !windows && !js

package link

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockPort takes an exclusive advisory lock (flock) on the device through a
// descriptor of its own. TIOCEXCL, which go.bug.st/serial sets, does not stop
// root; the lock makes a second opener, root or not, get ErrBusy.
func lockPort(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, err
	}
	return f, nil
}

// isNoDevice reports errors that mean the device node has no device behind
// it (a USB adapter unplugged while its node lingers).
func isNoDevice(err error) bool {
	return errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV)
}
