//go:build js

package link

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"
)

// Web Serial: in a browser that has navigator.serial (Chrome, Edge and
// ChromeOS on a computer; not Firefox, Safari or any browser on a phone or
// an iPad), a page may open a USB serial port the user picked in the
// browser's chooser. The spec "webserial:" opens the port the user granted
// this page before (navigator.serial.getPorts), or else asks for one
// (navigator.serial.requestPort, which shows the chooser). Browsers show the
// chooser only shortly after the user pressed a key or tapped (Chrome: for a
// few seconds), so open "webserial:" in answer to one.
//
// The link is a serial link like Serial: 115200 8N1, the board restarts as
// the port opens (the browser raises DTR) and the same handshake waits for
// it (see OpenSerial), and a port that goes away reports ErrLost.

func init() {
	if !HasWebSerial() {
		return
	}
	RegisterScheme("webserial", func(spec string, o Options) (Link, error) {
		w, err := OpenWebSerial(o)
		if err != nil {
			return nil, err
		}
		return w, nil
	})
}

// HasWebSerial reports whether this browser offers Web Serial
// (navigator.serial).
func HasWebSerial() bool { return serialAPI().Truthy() }

// serialAPI returns navigator.serial, or undefined where there is none (or
// no navigator at all, as under Node).
func serialAPI() js.Value {
	nav := js.Global().Get("navigator")
	if !nav.Truthy() {
		return js.Undefined()
	}
	return nav.Get("serial")
}

// WebSerial is a link through a serial port the browser opened (Web
// Serial): a reader on port.readable feeds a buffer that Read takes from,
// and Write waits for port.writable's writer to take the bytes.
type WebSerial struct {
	name   string
	port   js.Value
	reader js.Value
	writer js.Value
	onGone js.Func // the port's 'disconnect' listener

	mu      sync.Mutex
	buf     []byte // bytes received and not yet read
	err     error  // why no more bytes come (ErrLost), once they stop
	closed  bool
	timeout time.Duration
	board   Board
	arrived chan struct{} // a token when buf or err changed
	done    chan struct{} // closed by Close
	pumped  chan struct{} // closed when the reader's loop ends
}

// OpenWebSerial opens the port the user granted this page (or asks for
// one), at 115200 8N1 (or o.Baud), and waits for the board as OpenSerial
// does (o.BootWait).
func OpenWebSerial(o Options) (*WebSerial, error) {
	serial := serialAPI()
	if !serial.Truthy() {
		return nil, ErrNoWebSerial
	}
	// The port closed last may be this one: give the browser a moment.
	closed := make(chan struct{})
	go func() { webSerialClosing.Wait(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
	}
	ports, err := await(serial.Call("getPorts"))
	if err != nil {
		return nil, fmt.Errorf("web serial: %w", err)
	}
	var port js.Value
	switch {
	case ports.Length() > 0:
		port = ports.Index(0)
	case webSerialGranted.Load() && !webSerialAsk.Swap(false):
		// The port this page had is gone (unplugged): re-dialling after a
		// lost link must not show the browser's list, only a user's new
		// pick (AskWebSerialPort) does.
		return nil, errPortGone
	default:
		webSerialAsk.Store(false)
		port, err = await(serial.Call("requestPort", js.Global().Get("Object").New()))
		if err != nil {
			return nil, requestError(err)
		}
	}
	webSerialGranted.Store(true)
	w := &WebSerial{name: webSerialName(port), port: port,
		arrived: make(chan struct{}, 1), done: make(chan struct{}), pumped: make(chan struct{})}
	baud := o.Baud
	if baud == 0 {
		baud = DefaultBaud
	}
	if _, err := await(port.Call("open", map[string]any{"baudRate": baud, "dataBits": 8, "parity": "none", "stopBits": 1})); err != nil {
		return nil, fmt.Errorf("%s: %w", w.name, openError(err))
	}
	w.reader = port.Get("readable").Call("getReader")
	w.writer = port.Get("writable").Call("getWriter")
	w.onGone = js.FuncOf(func(this js.Value, args []js.Value) any {
		w.lose(nil)
		if w.reader.Truthy() {
			// The pending read ends and the pump sees the loss; the
			// stream that errored rejects the cancel, which is no news.
			w.reader.Call("cancel").Call("catch", ignore)
		}
		return nil
	})
	port.Call("addEventListener", "disconnect", w.onGone)
	go w.pump()
	b, rest, err := openHandshake(w, w.name, o)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.board, w.buf = b, append(rest, w.buf...)
	w.mu.Unlock()
	return w, nil
}

// webSerialName names the port for messages: "USB serial port 1a86:7523"
// (its USB vendor and product ids, when the browser tells them).
func webSerialName(port js.Value) string {
	info := port.Call("getInfo")
	v, p := info.Get("usbVendorId"), info.Get("usbProductId")
	if v.Type() == js.TypeNumber && p.Type() == js.TypeNumber {
		return fmt.Sprintf("USB serial port %04x:%04x", v.Int(), p.Int())
	}
	return "USB serial port"
}

// pump reads port.readable until it ends, into w.buf.
func (w *WebSerial) pump() {
	defer close(w.pumped)
	for {
		r, err := await(w.reader.Call("read"))
		if err != nil {
			w.lose(err)
			return
		}
		if r.Get("done").Truthy() {
			w.lose(nil)
			return
		}
		v := r.Get("value")
		n := v.Get("length").Int()
		if n == 0 {
			continue
		}
		b := make([]byte, n)
		js.CopyBytesToGo(b, v)
		w.mu.Lock()
		w.buf = append(w.buf, b...)
		w.mu.Unlock()
		w.wake()
	}
}

func (w *WebSerial) wake() {
	select {
	case w.arrived <- struct{}{}:
	default:
	}
}

// lose records that the port went away (unplugged, switched off), with
// the browser's error if there was one; it keeps the first cause.
func (w *WebSerial) lose(cause error) {
	w.mu.Lock()
	if w.err == nil {
		if cause != nil {
			w.err = fmt.Errorf("%s: %w: unplugged, or switched off? (%v)", w.name, ErrLost, cause)
		} else {
			w.err = fmt.Errorf("%s: %w: unplugged, or switched off?", w.name, ErrLost)
		}
	}
	w.mu.Unlock()
	w.wake()
}

// Name names the port for people ("USB serial port 1a86:7523").
func (w *WebSerial) Name() string { return w.name }

// Board returns what the board told while the port was opened.
func (w *WebSerial) Board() Board {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.board
}

// Read reads what the port received. With a read timeout set, a read that
// receives nothing returns an error matching ErrTimeout; after the port
// went away, one matching ErrLost.
func (w *WebSerial) Read(p []byte) (int, error) {
	var timer <-chan time.Time
	for {
		w.mu.Lock()
		switch {
		case w.closed:
			w.mu.Unlock()
			return 0, fmt.Errorf("%s: %w", w.name, ErrClosed)
		case len(w.buf) > 0 || len(p) == 0:
			n := copy(p, w.buf)
			w.buf = w.buf[n:]
			w.mu.Unlock()
			return n, nil
		case w.err != nil:
			err := w.err
			w.mu.Unlock()
			return 0, err
		}
		d := w.timeout
		w.mu.Unlock()
		if timer == nil && d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-w.arrived:
		case <-w.done:
		case <-timer:
			return 0, fmt.Errorf("%s: %w", w.name, ErrTimeout)
		}
	}
}

// Write hands p to the port's writer and waits until it took it.
func (w *WebSerial) Write(p []byte) (int, error) {
	w.mu.Lock()
	closed, lost := w.closed, w.err
	w.mu.Unlock()
	switch {
	case closed:
		return 0, fmt.Errorf("%s: %w", w.name, ErrClosed)
	case lost != nil:
		return 0, lost
	}
	a := js.Global().Get("Uint8Array").New(len(p))
	js.CopyBytesToJS(a, p)
	if _, err := await(w.writer.Call("write", a)); err != nil {
		w.lose(err)
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.closed {
			return 0, fmt.Errorf("%s: %w", w.name, ErrClosed)
		}
		return 0, w.err
	}
	return len(p), nil
}

// SetReadTimeout sets the read timeout; 0 waits forever. Unlike a serial
// port's, it may be changed while a Read waits (it applies to the next).
func (w *WebSerial) SetReadTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s: negative read timeout %v", w.name, d)
	}
	w.mu.Lock()
	w.timeout = d
	w.mu.Unlock()
	return nil
}

// Close releases the reader and the writer and closes the port, so that
// the page (or another) can open it again. It unblocks a pending Read. It
// does not wait for the browser (Close may run in the frame's callback,
// where waiting for a promise would stall the page): the next
// OpenWebSerial waits until the port is closed.
func (w *WebSerial) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.done)
	w.mu.Unlock()
	webSerialClosing.Add(1)
	go func() {
		defer webSerialClosing.Done()
		w.port.Call("removeEventListener", "disconnect", w.onGone)
		// Cancelling ends the pending read; the lock can be released once
		// the pump stopped reading.
		await(w.reader.Call("cancel"))
		<-w.pumped
		w.reader.Call("releaseLock")
		w.writer.Call("releaseLock")
		await(w.port.Call("close"))
		w.onGone.Release()
	}()
	return nil
}

// ignore is a JavaScript callback that does nothing: a rejection handed
// to it is handled (an unhandled one ends the program under Node).
var ignore = js.FuncOf(func(js.Value, []js.Value) any { return nil })

// webSerialGranted is set once the user granted this page a port;
// webSerialAsk, by AskWebSerialPort, until the next open.
var webSerialGranted, webSerialAsk atomic.Bool

// AskWebSerialPort lets the next OpenWebSerial show the browser's list of
// ports when the port granted before is gone (a USB serial chip without a
// serial number, such as the mBot's CH340, may need granting again once
// replugged). Call it when the user picks the robot (a key or a tap), not
// when a driver re-dials.
func AskWebSerialPort() { webSerialAsk.Store(true) }

// webSerialClosing counts the ports being closed.
var webSerialClosing sync.WaitGroup

// jsError is an exception or rejection from the browser: its name
// ("NotFoundError") and message.
type jsError struct{ name, message string }

func (e *jsError) Error() string {
	if e.message == "" {
		return e.name
	}
	return e.name + ": " + e.message
}

// await waits for a JavaScript promise: its value, or its rejection as a
// *jsError.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(this js.Value, args []js.Value) any {
		var v js.Value
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	catch := js.FuncOf(func(this js.Value, args []js.Value) any {
		e := &jsError{name: "Error"}
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			e.name, e.message = args[0].Get("name").String(), args[0].Get("message").String()
		} else if len(args) > 0 {
			e.message = args[0].String()
		}
		ch <- result{err: e}
		return nil
	})
	defer then.Release()
	defer catch.Release()
	js.Global().Get("Promise").Call("resolve", p).Call("then", then, catch)
	r := <-ch
	return r.v, r.err
}

// requestError says why no port came from the browser's chooser.
func requestError(err error) error {
	var je *jsError
	if errors.As(err, &je) {
		switch je.name {
		case "NotFoundError", "AbortError":
			return ErrNoPortChosen
		case "SecurityError", "NotAllowedError":
			return fmt.Errorf("web serial: the browser did not show its list of ports (press C again; a page served beyond this computer needs https): %w", err)
		}
	}
	return fmt.Errorf("web serial: %w", err)
}

// openError turns the browser's refusal to open a port into ErrBusy (open
// elsewhere: another tab, mBlock) or ErrNoPort.
func openError(err error) error {
	var je *jsError
	if errors.As(err, &je) {
		switch je.name {
		case "InvalidStateError", "NetworkError":
			return fmt.Errorf("%w (%v)", ErrBusy, err)
		case "NotFoundError":
			return ErrNoPort
		}
	}
	return err
}

// errPortGone is what re-opening Web Serial gives once the port the user
// granted is gone (unplugged): ErrNoPort, in the browser's words.
var errPortGone = portGone{}

type portGone struct{}

func (portGone) Error() string {
	return "the mBot's USB cable is unplugged, or the mBot is switched off: plug it in and switch it on"
}

func (portGone) Is(target error) bool { return target == ErrNoPort }
