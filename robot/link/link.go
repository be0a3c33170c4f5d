// Package link carries Makeblock frames between the host and an mBot: a USB
// or Bluetooth serial port (go.bug.st/serial at 115200 8N1), or the virtual
// mBot, which speaks the protocol on the other end of a pseudo-terminal or an
// in-process pipe and draws what a real robot would draw.
//
// A Link is a byte stream (io.ReadWriteCloser) with a read timeout; frames
// are built and replies parsed by package mblock. Errors say which port and
// what went wrong: ErrNoPort, ErrBusy and ErrPermission when opening, ErrLost
// when the port vanishes or the peer hangs up mid-stream, and ErrTimeout when
// a read waited longer than the read timeout (the link stays usable).
//
// OpenWith turns a spec (sim, serial:PORT, a port path) into a Link; other
// frame transports (the 2.4G dongle, Web Serial) plug in with
// RegisterScheme. A robot bridge (ws://) carries moves, not frames: it is
// no link, and package link knows nothing of it.
//
// Package link does not import package robot (robot imports link): the
// virtual mBot's physical model is a plain Model struct filled from the same
// calibration numbers the host uses (robot.Calibration.VirtualModel).
package link

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Link is an open connection to a robot.
type Link interface {
	// Read, Write and Close as io.ReadWriteCloser. After the peer vanishes,
	// Read and Write return an error matching ErrLost.
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
	// SetReadTimeout makes a Read that receives nothing for d return an
	// error matching ErrTimeout (and os.ErrDeadlineExceeded); 0, the
	// default, waits forever. The link stays usable after a timeout. Set
	// it before reading or from the reading goroutine: the serial library
	// does not synchronise it with a Read in progress.
	SetReadTimeout(d time.Duration) error
}

var (
	// ErrTimeout marks a Read that waited longer than the read timeout. It
	// wraps os.ErrDeadlineExceeded, so errors.Is(err, os.ErrDeadlineExceeded)
	// holds too.
	ErrTimeout = fmt.Errorf("read timed out: %w", os.ErrDeadlineExceeded)
	// ErrLost marks a link whose other end went away: a USB cable pulled, a
	// pseudo-terminal closed, a virtual mBot that vanished.
	ErrLost = errors.New("link lost")
	// ErrClosed marks use of a link after Close.
	ErrClosed = errors.New("link closed")
	// ErrNoPort marks a serial port that does not exist.
	ErrNoPort = errors.New("no such port: is the mBot plugged in and switched on? ('ports' lists the ports found)")
	// ErrBusy marks a serial port that another program has open.
	ErrBusy = errors.New("busy: another program has it open (close mBlock, the Arduino IDE or another mbotdraw)")
	// ErrNoAnswer marks a port where nothing answered like an mBot within
	// the boot wait: the robot is switched off, or it is another port.
	ErrNoAnswer = errors.New("no mBot answered: is it switched on, and is this its port? ('ports' lists the ports found)")
	// ErrNotMBot marks a port where something answers, but not in the mBot's
	// protocol: another device.
	ErrNotMBot = errors.New("something answers there, but not like an mBot: is this the mBot's port? ('ports' lists the ports found)")
	// ErrPermission marks a serial port the user may not open.
	ErrPermission = errors.New("permission denied (on Linux, add yourself to the dialout group)")
)

// Options tune Open. The zero value is the documented default.
type Options struct {
	// BootWait is how long Open waits, after opening a port, for the board
	// to answer (see Serial): opening a USB port restarts an mBot, and the
	// factory program takes 3.13 s to start. Zero: DefaultBootWait (4 s).
	// Negative: do not wait, ask or drain at all.
	BootWait time.Duration
	// Baud is the serial speed. Zero: 115200 (the mBot firmware's).
	Baud int
	// Sim is the virtual mBot that the spec "sim" connects to. Nil: a new
	// one with the default VirtualOptions.
	Sim *Virtual
}

// DefaultBaud is the mBot firmware's serial speed.
const DefaultBaud = 115200

// Open opens the link named by spec with the default Options (see OpenWith).
func Open(spec string) (Link, error) { return OpenWith(spec, Options{}) }

// OpenWith opens the link named by spec:
//
//	serial:/dev/ttyUSB0   a serial port (also a pseudo-terminal slave)
//	/dev/ttyUSB0, COM3    the same, a bare path
//	sim                   an in-process virtual mBot (o.Sim, or a new one)
//	NAME:…, NAME://…      the frame transport registered as NAME (RegisterScheme)
//
// A spec of the form NAME://… with no transport registered as NAME is an
// error that lists the known ones. A robot bridge (ws://) is not a frame
// link: package robotconn reaches it through the bridge's client.
func OpenWith(spec string, o Options) (Link, error) {
	switch {
	case spec == "":
		return nil, fmt.Errorf("robot link: empty spec; want %s", knownSpecs())
	case spec == "sim":
		v := o.Sim
		if v == nil {
			v = NewVirtual(VirtualOptions{})
		}
		return v.openPipe(o)
	case strings.HasPrefix(spec, "serial:"):
		return OpenSerial(strings.TrimPrefix(spec, "serial:"), o)
	}
	if err := Check(spec); err != nil {
		return nil, err
	}
	if name, ok := specScheme(spec); ok {
		if open := registered(name); open != nil {
			return open(spec, o)
		}
	}
	return OpenSerial(spec, o)
}

// Check reports, opening nothing, whether OpenWith knows what kind of link
// spec names: it fails only for a spec NAME://… with no transport
// registered as NAME.
func Check(spec string) error {
	name, ok := specScheme(spec)
	if ok && registered(name) == nil && strings.HasPrefix(spec[len(name):], "://") {
		return fmt.Errorf("robot link %q: unknown scheme %q; want %s", spec, name, knownSpecs())
	}
	return nil
}

// Schemes returns the names of the registered transports (RegisterScheme),
// sorted.
func Schemes() []string {
	schemesMu.Lock()
	defer schemesMu.Unlock()
	var names []string
	for k := range schemes {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// specScheme returns the NAME of a spec "NAME:…": two or more letters,
// digits or dashes starting with a letter, so that a Windows path such as
// C:\dev is not taken for one.
func specScheme(spec string) (string, bool) {
	i := strings.IndexByte(spec, ':')
	if i < 2 {
		return "", false
	}
	for k, r := range spec[:i] {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (k == 0 || !(r >= '0' && r <= '9' || r == '-')) {
			return "", false
		}
	}
	return spec[:i], true
}

var (
	schemesMu sync.Mutex
	schemes   = map[string]func(spec string, o Options) (Link, error){}
)

// RegisterScheme makes OpenWith hand the specs "name:…" and "name://…" to open,
// whole: how a frame transport in another file or package (the 2.4G
// dongle's hid:, a browser's Web Serial) plugs in, from an init function.
// The names sim and serial are built in; registering a name again replaces
// it.
func RegisterScheme(name string, open func(spec string, o Options) (Link, error)) {
	schemesMu.Lock()
	defer schemesMu.Unlock()
	schemes[name] = open
}

func registered(name string) func(spec string, o Options) (Link, error) {
	schemesMu.Lock()
	defer schemesMu.Unlock()
	return schemes[name]
}

func knownSpecs() string {
	names := []string{"sim", "serial:PORT", "a port path"}
	for _, k := range Schemes() {
		names = append(names, k+":…")
	}
	return strings.Join(names, ", ")
}
