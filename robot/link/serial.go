package link

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"go.bug.st/serial"
)

// Serial is a serial-port link (USB CH340, Bluetooth SPP, or a
// pseudo-terminal slave) at 115200 8N1.
type Serial struct {
	path string
	port serial.Port
	lock io.Closer // holds an exclusive lock on the device while open

	mu      sync.Mutex
	pending []byte // bytes read during the boot wait that belong to the stream
	board   Board
	closed  bool
}

// OpenSerial opens the serial port at path (115200 8N1, or o.Baud), takes an
// exclusive lock on it so that a second program gets ErrBusy, and waits
// until the board listens. Opening a USB port restarts an mBot (DTR): its
// bootloader waits about 1 s, bytes sent meanwhile are lost, and its
// firmware then takes 1.34 s (mBlock's 06.01.107) or 2.13 s (the factory
// program 06.01.009, which drops every byte until then) to print its boot
// banner "Version: …" and start listening. So OpenSerial asks for the
// firmware's version every 500 ms and reads until the answer comes (a
// board that did not restart, as over Bluetooth, answers at once), or the
// banner and then the answer to a request sent after it. It never re-opens
// the port meanwhile (that would restart the board again). It gives up
// with ErrNoAnswer when nothing answers within Options.BootWait (4 s), and
// with ErrNotMBot as soon as what answers is not the protocol (about 2 s).
// Errors name the port: "serial port /dev/ttyUSB9: no such port: …".
func OpenSerial(path string, o Options) (*Serial, error) {
	if path == "" {
		return nil, errors.New("serial port: empty path; want serial:/dev/ttyUSB0 or similar")
	}
	// An advisory lock on a second descriptor: TIOCEXCL, which
	// go.bug.st/serial sets, does not stop root, and a descriptor of its own
	// keeps us from touching the library's.
	lock, err := lockPort(path)
	if err != nil {
		return nil, portError(path, err)
	}
	baud := o.Baud
	if baud == 0 {
		baud = DefaultBaud
	}
	p, err := serial.Open(path, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		lock.Close()
		return nil, portError(path, err)
	}
	s := &Serial{path: path, port: p, lock: lock}
	b, rest, err := openHandshake(s, "serial port "+path, o)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.board, s.pending = b, append(s.pending, rest...)
	s.mu.Unlock()
	return s, nil
}

// Path returns the port's path.
func (s *Serial) Path() string { return s.path }

// Board returns what the board told while the port was opened: its
// firmware version and boot banner (empty with a negative BootWait).
func (s *Serial) Board() Board {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.board
}

// Banner returns the boot banner seen while opening ("Version: 06.01.107"),
// or "" when none came.
func (s *Serial) Banner() string { return s.Board().Banner }

// Read reads from the port. With a read timeout set, a read that receives
// nothing returns an error matching ErrTimeout.
func (s *Serial) Read(p []byte) (int, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, fmt.Errorf("serial port %s: %w", s.path, ErrClosed)
	}
	if len(s.pending) > 0 {
		n := copy(p, s.pending)
		s.pending = s.pending[n:]
		s.mu.Unlock()
		return n, nil
	}
	s.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	n, err := s.port.Read(p)
	if err != nil {
		return n, s.readError(err)
	}
	if n == 0 {
		// go.bug.st/serial reports a timeout as (0, nil).
		return 0, fmt.Errorf("serial port %s: %w", s.path, ErrTimeout)
	}
	return n, nil
}

// Write writes to the port.
func (s *Serial) Write(p []byte) (int, error) {
	n, err := s.port.Write(p)
	if err != nil {
		if s.isClosed() {
			return n, fmt.Errorf("serial port %s: %w", s.path, ErrClosed)
		}
		return n, fmt.Errorf("serial port %s: %w (unplugged, or switched off?): %w", s.path, ErrLost, err)
	}
	return n, nil
}

// SetReadTimeout sets the read timeout; 0 waits forever.
func (s *Serial) SetReadTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("serial port %s: negative read timeout %v", s.path, d)
	}
	if d == 0 {
		d = serial.NoTimeout
	}
	return s.port.SetReadTimeout(d)
}

// Close closes the port and releases its lock. It unblocks a pending Read.
func (s *Serial) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	err := s.port.Close()
	s.lock.Close()
	if err != nil {
		return fmt.Errorf("serial port %s: close: %w", s.path, err)
	}
	return nil
}

func (s *Serial) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Serial) readError(err error) error {
	var pe *serial.PortError
	if s.isClosed() {
		return fmt.Errorf("serial port %s: %w", s.path, ErrClosed)
	}
	if errors.As(err, &pe) && pe.Code() == serial.PortClosed {
		// The library's word for "the device went away mid-read".
		return fmt.Errorf("serial port %s: %w: unplugged, or switched off?", s.path, ErrLost)
	}
	return fmt.Errorf("serial port %s: %w (unplugged, or switched off?): %w", s.path, ErrLost, err)
}

// portError turns an open error into one that names the port and says what
// a user can do about it.
func portError(path string, err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			err = ErrNoPort
		case serial.PortBusy:
			err = ErrBusy
		case serial.PermissionDenied:
			err = ErrPermission
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist), isNoDevice(err):
		err = ErrNoPort
	case errors.Is(err, fs.ErrPermission):
		err = ErrPermission
	}
	return fmt.Errorf("serial port %s: %w", path, err)
}
