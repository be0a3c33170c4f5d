//go:build linux

package link

import (
	"errors"
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// StartPTY serves the robot on a new pseudo-terminal and returns the path of
// its slave end, which a host opens as a serial port ("serial:"+path). With
// link set, it also makes link a symbolic link to the slave, replacing what
// was there, so that the robot keeps one name across Vanish and StartPTY (as
// a USB port does across an unplug). Any earlier connection is replaced, as
// a replugged cable would be. Each time a host opens the slave, the board
// restarts and boots (see Virtual): the terminal is in packet mode with
// EXTPROC set, so the master learns of every change of the slave's settings,
// and opening a serial port sets them.
func (v *Virtual) StartPTY(link string) (string, error) {
	v.mu.Lock()
	closed := v.closed
	v.mu.Unlock()
	if closed {
		return "", errClosedVirtual
	}
	master, slave, err := pty.Open()
	if err != nil {
		return "", fmt.Errorf("virtual mBot: open a pseudo-terminal: %w", err)
	}
	// Raw mode before the host opens the slave, so that nothing (the banner
	// included) is cooked: no CR→LF, no echo. The host sets raw mode again.
	if err := makeRaw(slave); err != nil {
		master.Close()
		slave.Close()
		return "", fmt.Errorf("virtual mBot: %s: %w", slave.Name(), err)
	}
	// pty.Open hands back descriptors in blocking mode, where Close does
	// not interrupt a Read in progress; a non-blocking copy goes through
	// Go's poller, so that Vanish and Close end the serving goroutine.
	if master, err = pollable(master); err != nil {
		slave.Close()
		return "", fmt.Errorf("virtual mBot: %w", err)
	}
	path := slave.Name()
	if link != "" {
		os.Remove(link)
		if err := os.Symlink(path, link); err != nil {
			master.Close()
			slave.Close()
			return "", fmt.Errorf("virtual mBot: %w", err)
		}
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCPKT, 1); err != nil {
		master.Close()
		slave.Close()
		return "", fmt.Errorf("virtual mBot: %s: packet mode: %w", path, err)
	}
	v.mu.Lock()
	if v.symlink == link {
		v.symlink = "" // already replaced by the new link: keep it
	}
	v.closePTYLocked()
	// The robot keeps a slave descriptor of its own, so that the host
	// closing and reopening the port does not hang up the terminal.
	v.ptyFiles = []*os.File{slave, master}
	v.symlink = link
	v.mu.Unlock()
	pc := &packetConn{File: master}
	gen := v.attachGen(pc, false)
	pc.opened = func() { v.hostOpened(gen) }
	v.goServe(pc, gen)
	return path, nil
}

// packetConn is a pseudo-terminal master in packet mode: each read starts
// with a status byte, 0 before data; TIOCPKT_IOCTL says that the slave's
// settings changed, which a host opening the port does.
type packetConn struct {
	*os.File
	opened func()
	buf    []byte
}

func (c *packetConn) Read(p []byte) (int, error) {
	if len(c.buf) < len(p)+1 {
		c.buf = make([]byte, len(p)+1)
	}
	n, err := c.File.Read(c.buf[:len(p)+1])
	if n == 0 {
		return 0, err
	}
	if c.buf[0] != 0 {
		if c.buf[0]&unix.TIOCPKT_IOCTL != 0 {
			c.opened()
		}
		return 0, err
	}
	return copy(p, c.buf[1:n]), err
}

// errClosedVirtual marks use of a closed Virtual.
var errClosedVirtual = errors.New("virtual mBot: closed")

func (v *Virtual) closePTYLocked() {
	for _, f := range v.ptyFiles {
		f.Close()
	}
	v.ptyFiles = nil
	if v.symlink != "" {
		os.Remove(v.symlink)
		v.symlink = ""
	}
}

// makeRaw puts a terminal in raw mode (as cfmakeraw does).
func makeRaw(f *os.File) error {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Lflag |= unix.EXTPROC // settings changes reach a packet-mode master
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// pollable returns a non-blocking duplicate of f (closing f), which Go's
// runtime poller serves: Close then interrupts a pending Read.
func pollable(f *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(f.Fd()))
	name := f.Name()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: dup: %w", name, err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}
