package link

import (
	"errors"
	"slices"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// Where the browser has no navigator.serial (Firefox, Safari; Node here),
// nothing offers Web Serial: no webserial transport is registered, and
// opening it says in a sentence which browsers can. A port that is gone
// (unplugged) counts as no port, in the browser's words.
func TestWebSerialInBrowserWithoutIt(t *testing.T) {
	if HasWebSerial() {
		t.Skip("this JavaScript runtime has navigator.serial")
	}
	if slices.Contains(Schemes(), "webserial") {
		t.Errorf("schemes %v offer webserial without navigator.serial", Schemes())
	}
	if _, err := OpenWebSerial(Options{}); !errors.Is(err, ErrNoWebSerial) {
		t.Errorf("OpenWebSerial = %v, want ErrNoWebSerial", err)
	}
	if !errors.Is(errPortGone, ErrNoPort) {
		t.Error("a port that is gone does not count as no port")
	}
}

// fakeSerial is a navigator.serial with one port whose streams the test
// drives from globalThis.fakeSerial: push(bytes) is what the board sends,
// written what the page wrote, unplug() pulls the cable, gone hides the
// port from getPorts until requestPort grants it again; it records whether
// the port was closed with its streams unlocked.
const fakeSerial = `(() => {
  const f = globalThis.fakeSerial = { written: [], closed: 0, closedLocked: 0, opens: 0 };
  class Port extends EventTarget {
    getInfo() { return { usbVendorId: 0x1a86, usbProductId: 0x7523 }; }
    async open(o) {
      f.opens++;
      f.baud = o.baudRate;
      this.readable = new ReadableStream({ start(c) {
        f.push = (b) => c.enqueue(Uint8Array.from(b));
        f.unplug = () => { c.error(new DOMException("The device has been lost.", "NetworkError")); f.port.dispatchEvent(new Event("disconnect")); };
      } });
      this.writable = new WritableStream({ write(chunk) { f.written.push(...chunk); } });
    }
    async close() {
      f.closed++;
      if (this.readable.locked || this.writable.locked) { f.closedLocked++; throw new TypeError("locked"); }
    }
  }
  f.port = new Port();
  f.gone = false;
  f.requests = 0;
  globalThis.navigator = { serial: {
    getPorts: async () => f.gone ? [] : [f.port],
    requestPort: async () => { f.requests++; f.gone = false; return f.port; },
  } };
})()`

// withFakeSerial puts fakeSerial in place for the test.
func withFakeSerial(t *testing.T) js.Value {
	t.Helper()
	js.Global().Call("eval", fakeSerial)
	t.Cleanup(func() { js.Global().Delete("navigator") })
	return js.Global().Get("fakeSerial")
}

// A Web Serial link, opened without the board's handshake, over a port the
// test drives: it opens at 115200, reads what the board sent, writes what
// it is given, times a quiet read out (and stays usable), says plainly when
// the cable is pulled, and on Close releases its streams and closes the
// port, so that it opens again.
func TestWebSerialLinkInBrowser(t *testing.T) {
	f := withFakeSerial(t)
	w, err := OpenWebSerial(Options{BootWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	if f.Get("baud").Int() != DefaultBaud || w.Name() != "USB serial port 1a86:7523" {
		t.Errorf("opened %q at %v baud", w.Name(), f.Get("baud"))
	}
	if _, err := w.Write([]byte{0xff, 0x55, 2, 0, 5}); err != nil {
		t.Fatal(err)
	}
	if got := f.Get("written").Get("length").Int(); got != 5 {
		t.Errorf("the port got %d bytes, want 5", got)
	}
	w.SetReadTimeout(20 * time.Millisecond)
	buf := make([]byte, 16)
	if _, err := w.Read(buf); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a quiet read: %v, want ErrTimeout", err)
	}
	f.Call("push", []any{0xff, 0x55, 0x0d, 0x0a})
	w.SetReadTimeout(5 * time.Second)
	if n, err := w.Read(buf); err != nil || string(buf[:n]) != "\xff\x55\r\n" {
		t.Fatalf("read % x, %v; want ff 55 0d 0a", buf[:n], err)
	}
	f.Call("unplug")
	_, err = w.Read(buf)
	if !errors.Is(err, ErrLost) || !strings.Contains(err.Error(), "unplugged, or switched off?") {
		t.Fatalf("after the cable was pulled: %v; want ErrLost, in plain words", err)
	}
	if _, err := w.Write([]byte{1}); !errors.Is(err, ErrLost) {
		t.Errorf("a write after the cable was pulled: %v; want ErrLost", err)
	}
	w.Close()
	w2, err := OpenWebSerial(Options{BootWait: -1}) // waits for the port to close
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if c, locked := f.Get("closed").Int(), f.Get("closedLocked").Int(); c != 1 || locked != 0 {
		t.Errorf("the port was closed %d times, %d of them with its streams still locked; want once, unlocked", c, locked)
	}
	if _, err := w.Read(buf); !errors.Is(err, ErrClosed) {
		t.Errorf("a read after Close: %v, want ErrClosed", err)
	}
}

// Once the port granted before is gone from the browser's list of granted
// ports (a CH340 replugged), re-dialling says the cable is unplugged
// without showing the browser's list; after the user picked the robot
// again (AskWebSerialPort) the list is shown.
func TestWebSerialPortGoneInBrowser(t *testing.T) {
	f := withFakeSerial(t)
	w, err := OpenWebSerial(Options{BootWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.Set("gone", true)
	if _, err := OpenWebSerial(Options{BootWait: -1}); !errors.Is(err, ErrNoPort) || !strings.Contains(err.Error(), "unplugged") {
		t.Fatalf("re-dialling a port that is gone: %v; want ErrNoPort, saying the cable is unplugged", err)
	}
	if n := f.Get("requests").Int(); n != 0 {
		t.Fatalf("re-dialling showed the browser's list %d times", n)
	}
	AskWebSerialPort()
	w, err = OpenWebSerial(Options{BootWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if n := f.Get("requests").Int(); n != 1 {
		t.Errorf("after the user picked the robot again the list was shown %d times, want once", n)
	}
}
