package link

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The 2.4G wireless dongle.
//
// Makeblock's "2.4G wireless serial" kit is a radio module on the mBot's
// UART and a USB stick on the computer. The stick is a USB HID device, not a
// serial port, so it has no COM or /dev/tty name; the facts below come from
// public sources, not from a device:
//
//   - USB ids: vendor 0x0416, product 0xFFFF. Makeblock's mBlock 3 desktop
//     app opens exactly this pair (Makeblock-official/mBlock, app/hid.js:
//     `device.vendorId==0x0416&&device.productId==0xffff` and
//     `new USBHID.HID(0x0416,0xffff)`), as do xeecos/python-for-mbot
//     (lib/mBot.py, class mHID: `device.open(0x0416, 0xffff)`) and the
//     Haskell MBot package (silky/haskell-mBot src/MBot.hs: dongleID 1046,
//     deviceID 65535).
//   - Host to robot: one OUT report carries a length byte n and then n bytes
//     of the serial stream. With hidapi the buffer written is
//     `[0, n, bytes…]`, the leading 0 being the report number of a device
//     without numbered reports, which the OS strips (python-for-mbot
//     mHID.writePackage: `buf += [0, len(package)]`; mBlock's hid.js writes
//     `[n, bytes…]` through node-hid). Nothing pads the report.
//   - Robot to host: IN reports of 64 bytes, read whole; the first byte is
//     the count n of serial bytes that follow, 0 when the report carries
//     none (python-for-mbot mHID.inWaiting: `buf = device.read(64)`,
//     `l = buf[0]`, then `buf[1..l]`; mBlock hid.js forwards a report only
//     `if(data[0]>0)`; haskell-mBot `cutlength`). A reply may arrive split
//     over several reports, and a report may hold the end of one reply and
//     the start of the next: the bytes are a stream, as on a serial port.
//   - mBlock keeps one request in flight on this link and waits for its
//     reply before sending the next, as our driver does on every link.
//
// On Linux the kernel's hidraw driver gives each HID device a
// /dev/hidrawN: a write sends one OUT report (a leading report number 0 is
// dropped for a device without numbered reports), and a read returns one
// whole IN report (without a report number). Reading it needs permission:
// by default only root may, so a udev rule is needed (see the README).
const (
	// DongleVID and DonglePID are the 2.4G dongle's USB ids, upper-case
	// hex as in PortInfo.
	DongleVID = "0416"
	DonglePID = "FFFF"

	// hidReportSize is the size of the dongle's IN report: a count byte
	// and up to 63 bytes of the stream.
	hidReportSize = 64
	// hidChunk is the most stream bytes one report carries.
	hidChunk = hidReportSize - 1
)

// reportDevice is what a HID link needs of a device: one Write sends one
// OUT report, one Read returns one IN report, and read deadlines work. An
// *os.File for /dev/hidrawN, or one end of a SOCK_SEQPACKET socket pair in
// the tests, is one.
type reportDevice interface {
	io.ReadWriteCloser
	SetReadDeadline(t time.Time) error
}

// HID is a link through the 2.4G dongle: it cuts what the host writes into
// OUT reports and joins the bytes of IN reports back into one stream, so
// that the driver sees the same byte stream as over a serial port.
type HID struct {
	path string
	dev  reportDevice

	rmu     sync.Mutex // held by a Read in progress
	pending []byte     // bytes of the last report that did not fit the reader's buffer
	report  [hidReportSize + 1]byte

	mu      sync.Mutex
	timeout time.Duration
	closed  bool
}

func newHID(path string, dev reportDevice) *HID { return &HID{path: path, dev: dev} }

// The spec "hid:PATH" opens the dongle at PATH; "hid:" opens the first one
// found.
func init() {
	RegisterScheme("hid", func(spec string, o Options) (Link, error) {
		path := strings.TrimPrefix(strings.TrimPrefix(spec, "hid:"), "//")
		h, err := OpenHID(path)
		if err != nil {
			return nil, err
		}
		return h, nil
	})
}

// Path returns the device's path ("/dev/hidraw0").
func (h *HID) Path() string { return h.path }

// Write sends p as OUT reports of at most 63 bytes each, in order.
func (h *HID) Write(p []byte) (int, error) {
	if h.isClosed() {
		return 0, h.errorf(ErrClosed)
	}
	var rep [hidChunk + 2]byte
	done := 0
	for done < len(p) {
		n := min(len(p)-done, hidChunk)
		rep[0], rep[1] = 0, byte(n) // report number 0, then the count
		copy(rep[2:], p[done:done+n])
		w, err := h.dev.Write(rep[:n+2])
		if err != nil {
			return done, h.ioError(err)
		}
		if w != n+2 {
			return done, h.errorf(fmt.Errorf("%w: the dongle took %d of %d report bytes", ErrLost, w, n+2))
		}
		done += n
	}
	return done, nil
}

// Read returns stream bytes from the next IN reports that carry any. With a
// read timeout set, it returns an error matching ErrTimeout when none came
// in time.
func (h *HID) Read(p []byte) (int, error) {
	h.rmu.Lock()
	defer h.rmu.Unlock()
	if h.isClosed() {
		return 0, h.errorf(ErrClosed)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(h.pending) > 0 {
		n := copy(p, h.pending)
		h.pending = h.pending[n:]
		return n, nil
	}
	h.mu.Lock()
	timeout := h.timeout
	h.mu.Unlock()
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if err := h.dev.SetReadDeadline(deadline); err != nil {
		return 0, h.errorf(err)
	}
	for {
		r, err := h.dev.Read(h.report[:])
		if err != nil {
			return 0, h.ioError(err)
		}
		if r == 0 {
			return 0, h.errorf(fmt.Errorf("%w: the dongle went away", ErrLost))
		}
		data := reportData(h.report[:r])
		if len(data) == 0 {
			continue // an empty report: nothing from the robot yet
		}
		n := copy(p, data)
		h.pending = append(h.pending[:0], data[n:]...)
		return n, nil
	}
}

// reportData returns the stream bytes of one IN report: the count byte says
// how many follow. A count beyond the report's end (a garbled report) gives
// what the report holds.
func reportData(rep []byte) []byte {
	if len(rep) == 0 {
		return nil
	}
	n := min(int(rep[0]), len(rep)-1)
	return rep[1 : 1+n]
}

// SetReadTimeout sets how long a Read waits for a report that carries
// bytes; 0 waits forever.
func (h *HID) SetReadTimeout(d time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.timeout = max(d, 0)
	return nil
}

// Close closes the device; a Read in progress returns.
func (h *HID) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	if err := h.dev.Close(); err != nil {
		return h.errorf(err)
	}
	return nil
}

func (h *HID) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

func (h *HID) errorf(err error) error { return fmt.Errorf("2.4G dongle %s: %w", h.path, err) }

// ioError names what a failed read or write means for the user: a timeout,
// a closed link, or a dongle that was pulled out.
func (h *HID) ioError(err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return h.errorf(ErrTimeout)
	case h.isClosed() || errors.Is(err, fs.ErrClosed):
		return h.errorf(ErrClosed)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.EIO),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ESHUTDOWN):
		return h.errorf(fmt.Errorf("%w: the dongle was unplugged (%v)", ErrLost, err))
	}
	return h.errorf(err)
}

// errHIDPermission is ErrPermission for a HID device, whose fix is a udev
// rule rather than the dialout group.
var errHIDPermission = hidPermission{}

type hidPermission struct{}

func (hidPermission) Error() string {
	return "permission denied (on Linux, a udev rule must let you use the dongle: see the README)"
}
func (hidPermission) Is(target error) bool { return target == ErrPermission }

// hidOpenError turns an error from opening a dongle into one a teacher can
// act on.
func hidOpenError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("2.4G dongle %s: %w", path, ErrNoPort)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("2.4G dongle %s: %w", path, errHIDPermission)
	case errors.Is(err, syscall.EBUSY):
		return fmt.Errorf("2.4G dongle %s: %w", path, ErrBusy)
	}
	return fmt.Errorf("2.4G dongle %s: %w", path, err)
}
