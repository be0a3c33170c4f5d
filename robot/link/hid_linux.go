//go:build linux

package link

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// OpenHID opens the 2.4G dongle at path, a /dev/hidrawN; an empty path
// opens the first dongle found (see Ports). It takes an exclusive lock, so
// a second program gets ErrBusy. Opening the dongle does not reset the
// robot (there is no DTR line on the radio), so there is no boot to wait
// for.
func OpenHID(path string) (*HID, error) {
	if path == "" {
		found, err := dongles(PortsOptions{})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("2.4G dongle: none found: %w (plug the dongle into a USB port and switch the mBot on)", ErrNoPort)
		}
		path = found[0].Name
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, hidOpenError(path, err)
	}
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice == 0 {
		f.Close()
		return nil, fmt.Errorf("2.4G dongle %s: not a device (want /dev/hidrawN, as 'ports' lists)", path)
	}
	if err := flockFile(f); err != nil {
		f.Close()
		return nil, hidOpenError(path, err)
	}
	return newHID(path, f), nil
}

// flockFile takes an exclusive advisory lock on f without f.Fd, which would
// put the descriptor in blocking mode and end read deadlines.
func flockFile(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lockErr error
	if err := rc.Control(func(fd uintptr) { lockErr = unix.Flock(int(fd), unix.LOCK_EX|unix.LOCK_NB) }); err != nil {
		return err
	}
	if errors.Is(lockErr, unix.EWOULDBLOCK) {
		return ErrBusy
	}
	return lockErr
}
