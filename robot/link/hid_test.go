//go:build linux

package link

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mbotdraw/robot/mblock"
)

// reportPair returns the two ends of a SOCK_SEQPACKET socket pair: like a
// hidraw device, each write is one report and each read returns one whole
// report. The first end is the host's HID link, the second the dongle.
func reportPair(t *testing.T) (*HID, *os.File) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	host := newHID("/dev/hidraw-test", os.NewFile(uintptr(fds[0]), "host"))
	dongle := os.NewFile(uintptr(fds[1]), "dongle")
	t.Cleanup(func() { host.Close(); dongle.Close() })
	return host, dongle
}

// readOutReport reads one OUT report as hidraw's writer left it: report
// number 0, a count, the bytes.
func readOutReport(t *testing.T, dongle *os.File) []byte {
	t.Helper()
	buf := make([]byte, 256)
	dongle.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := dongle.Read(buf)
	if err != nil {
		t.Fatalf("dongle read: %v", err)
	}
	rep := buf[:n]
	if len(rep) < 2 || rep[0] != 0 || int(rep[1]) != len(rep)-2 || rep[1] == 0 || rep[1] > hidChunk {
		t.Fatalf("OUT report % x: want 00, a count of 1…63, then that many bytes", rep)
	}
	return rep[2:]
}

// inReport is a 64-byte IN report carrying data (at most 63 bytes).
func inReport(data []byte) []byte {
	rep := make([]byte, hidReportSize)
	rep[0] = byte(len(data))
	copy(rep[1:], data)
	return rep
}

func TestHIDHostToDongle(t *testing.T) {
	blob := make([]byte, 300)
	rand.New(rand.NewSource(1)).Read(blob)
	copy(blob, mblock.Drive(0, 100, -100)) // a real frame first, with ff 55 inside the blob too
	for _, size := range []int{1, 10, 51, 63, 64, 127, 300} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			host, dongle := reportPair(t)
			n, err := host.Write(blob[:size])
			if err != nil || n != size {
				t.Fatalf("Write: %d, %v", n, err)
			}
			var got []byte
			reports := 0
			for len(got) < size {
				got = append(got, readOutReport(t, dongle)...)
				reports++
			}
			if !bytes.Equal(got, blob[:size]) {
				t.Fatalf("joined reports differ from what the host wrote:\n got % x\nwant % x", got, blob[:size])
			}
			if want := (size + hidChunk - 1) / hidChunk; reports != want {
				t.Errorf("%d bytes went in %d reports, want %d", size, reports, want)
			}
		})
	}
}

func TestHIDDongleToHost(t *testing.T) {
	stream := append(append(append([]byte("Version: 06.01.107\r\n"), 0xff, 0x55, 0x0d, 0x0a), // banner, ack
		0xff, 0x55, 0x00, 0x02, 0x0d, 0x0a, 0x20, 0x41, 0x0d, 0x0a), // a float holding 0d 0a
		bytes.Repeat([]byte{0xff, 0x55, 0x0d, 0x0a}, 30)...)
	host, dongle := reportPair(t)
	// The dongle cuts the stream as the radio may: reports of 1 to 63
	// bytes, with empty reports between them.
	go func() {
		r := rand.New(rand.NewSource(2))
		for rest := stream; len(rest) > 0; {
			n := min(len(rest), 1+r.Intn(hidChunk))
			if r.Intn(3) == 0 {
				dongle.Write(inReport(nil))
			}
			dongle.Write(inReport(rest[:n]))
			rest = rest[n:]
		}
	}()
	host.SetReadTimeout(5 * time.Second)
	var got []byte
	buf := make([]byte, 7) // smaller than most reports: the rest waits for the next Read
	for len(got) < len(stream) {
		n, err := host.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, stream) {
		t.Fatalf("stream joined from reports:\n got % x\nwant % x", got, stream)
	}
}

func TestReportData(t *testing.T) {
	for _, c := range []struct {
		rep, want []byte
	}{
		{nil, nil},
		{[]byte{0, 0xff, 0x55}, []byte{}}, // empty report with padding
		{[]byte{2, 0xff, 0x55, 0, 0}, []byte{0xff, 0x55}}, // padding dropped
		{[]byte{200, 1, 2, 3}, []byte{1, 2, 3}},           // a count past the end: what is there
	} {
		if got := reportData(c.rep); !bytes.Equal(got, c.want) {
			t.Errorf("reportData(% x) = % x, want % x", c.rep, got, c.want)
		}
	}
}

// dongleEnd is the dongle and the robot's radio together, for the virtual
// mBot: it takes the host's OUT reports apart into the robot's serial
// stream, and cuts the robot's replies into IN reports of at most
// chunk bytes.
type dongleEnd struct {
	f       *os.File
	chunk   int
	mu      sync.Mutex
	pending []byte
	bad     error // a malformed OUT report
}

func (d *dongleEnd) Read(p []byte) (int, error) {
	d.mu.Lock()
	if len(d.pending) > 0 {
		n := copy(p, d.pending)
		d.pending = d.pending[n:]
		d.mu.Unlock()
		return n, nil
	}
	d.mu.Unlock()
	buf := make([]byte, 256)
	for {
		n, err := d.f.Read(buf)
		if err != nil {
			return 0, err
		}
		rep := buf[:n]
		if len(rep) < 2 || rep[0] != 0 || int(rep[1]) != len(rep)-2 {
			d.mu.Lock()
			d.bad = fmt.Errorf("malformed OUT report % x", rep)
			d.mu.Unlock()
			continue
		}
		k := copy(p, rep[2:])
		d.mu.Lock()
		d.pending = append(d.pending, rep[2+k:]...)
		d.mu.Unlock()
		return k, nil
	}
}

func (d *dongleEnd) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		n := min(len(rest), d.chunk)
		if _, err := d.f.Write(inReport(rest[:n])); err != nil {
			return len(p) - len(rest), err
		}
		rest = rest[n:]
	}
	return len(p), nil
}

func (d *dongleEnd) Close() error { return d.f.Close() }

// The driver's conversation with a virtual mBot through the dongle: every
// frame arrives byte-exactly and every reply, cut into 3-byte reports,
// comes back whole.
func TestHIDVirtualMBot(t *testing.T) {
	host, f := reportPair(t)
	d := &dongleEnd{f: f, chunk: 3}
	v := NewVirtual(VirtualOptions{})
	go v.Serve(d)
	h := newHost(t, host)
	if rep := h.send(mblock.Version(0xfa)); rep.Kind != mblock.Value || rep.Text != DefaultVersion {
		t.Fatalf("version: %v", rep)
	}
	sent := [][]byte{mblock.Version(0xfa)}
	for _, fr := range [][]byte{mblock.Servo(0, 1, 1, 90), mblock.Drive(0, 120, 120), mblock.Stop(0), mblock.BoardLED(0, 0, 1, 2, 3)} {
		h.ack(fr)
		sent = append(sent, fr)
	}
	if rep := h.send(mblock.Ultrasonic(5, mblock.Port3)); rep.Kind != mblock.Value || rep.Number != 400 {
		t.Fatalf("ultrasonic: %v", rep)
	}
	sent = append(sent, mblock.Ultrasonic(5, mblock.Port3))
	got := v.Frames()
	if len(got) != len(sent) {
		t.Fatalf("robot received %d frames, want %d", len(got), len(sent))
	}
	for i := range sent {
		if !bytes.Equal(got[i].Frame, sent[i]) {
			t.Errorf("frame %d: robot got % x, host sent % x", i, got[i].Frame, sent[i])
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bad != nil {
		t.Error(d.bad)
	}
}

func TestHIDTimeoutAndLoss(t *testing.T) {
	host, dongle := reportPair(t)
	host.SetReadTimeout(30 * time.Millisecond)
	dongle.Write(inReport(nil)) // an empty report does not end the wait
	if _, err := host.Read(make([]byte, 8)); !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "2.4G dongle /dev/hidraw-test") {
		t.Errorf("quiet dongle: %v, want a timeout naming the dongle", err)
	}
	// Still usable after a timeout.
	dongle.Write(inReport([]byte{0xff, 0x55, 0x0d, 0x0a}))
	if n, err := host.Read(make([]byte, 8)); n != 4 || err != nil {
		t.Errorf("after a timeout: %d, %v", n, err)
	}
	// The dongle pulled out: reads and writes say the link is lost.
	dongle.Close()
	host.SetReadTimeout(5 * time.Second)
	within(t, 10*time.Second, "read from an unplugged dongle", func() {
		if _, err := host.Read(make([]byte, 8)); !isLost(err) {
			t.Errorf("read after unplug: %v, want ErrLost", err)
		}
	})
	if _, err := host.Write(mblock.Stop(0)); !isLost(err) {
		t.Errorf("write after unplug: %v, want ErrLost", err)
	}
	host.Close()
	if _, err := host.Read(make([]byte, 8)); !errors.Is(err, ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
}

// Close ends a Read that waits forever.
func TestHIDCloseEndsRead(t *testing.T) {
	host, _ := reportPair(t)
	done := make(chan error, 1)
	go func() { _, err := host.Read(make([]byte, 8)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	host.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("read ended with %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the Read")
	}
}

func TestOpenHIDErrors(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "not-a-device")
	os.WriteFile(plain, nil, 0o644)
	for _, c := range []struct {
		path string
		is   error
		want string
	}{
		{filepath.Join(dir, "hidraw9"), ErrNoPort, "2.4G dongle " + filepath.Join(dir, "hidraw9") + ": no such port"},
		{plain, nil, "not a device"},
	} {
		_, err := OpenHID(c.path)
		if err == nil || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("OpenHID(%s) = %v, want %q", c.path, err, c.want)
		}
	}
	if err := hidOpenError("/dev/hidraw0", os.ErrPermission); !errors.Is(err, ErrPermission) || !strings.Contains(err.Error(), "udev rule") {
		t.Errorf("permission error: %v", err)
	}
}

// Whatever a report holds, the stream bytes taken from it lie inside it
// and are as many as its count says, or all it has.
func FuzzReportData(f *testing.F) {
	f.Add([]byte{4, 0xff, 0x55, 0x0d, 0x0a})
	f.Add([]byte{255})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, rep []byte) {
		got := reportData(rep)
		if len(rep) == 0 {
			if len(got) != 0 {
				t.Fatalf("empty report gave % x", got)
			}
			return
		}
		if want := min(int(rep[0]), len(rep)-1); len(got) != want || !bytes.Equal(got, rep[1:1+want]) {
			t.Fatalf("reportData(% x) = % x", rep, got)
		}
	})
}

// --robot hid:PATH reaches OpenHID through Open.
func TestOpenHIDSpec(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "hidraw7")
	l, err := Open("hid:" + missing)
	if l != nil || !errors.Is(err, ErrNoPort) || !strings.HasPrefix(err.Error(), "2.4G dongle "+missing+": no such port") {
		t.Errorf("Open(hid:%s) = %v, %v", missing, l, err)
	}
	if l, err := Open("hid:"); err == nil {
		l.Close() // a dongle is plugged into this machine: fine
	} else if !errors.Is(err, ErrNoPort) && !errors.Is(err, ErrPermission) && !errors.Is(err, ErrBusy) {
		t.Errorf("Open(hid:) = %v", err)
	}
}
