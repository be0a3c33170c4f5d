package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"syscall/js"
	"time"
)

// browserConn is a connection to a bridge through the browser's WebSocket,
// for the player in a web page (js/wasm). The browser does the handshake,
// permessage-deflate and the WebSocket pings; it cannot send headers, so the
// token goes as ?token=T.
type browserConn struct {
	ws    js.Value
	funcs []js.Func // the handlers, released once the socket has closed

	mu     sync.Mutex
	queue  [][]byte // messages come in faster than they are read
	err    error    // why the connection ended; nil while it is open
	notify chan struct{}
}

// maxBuffered is the most bytes the browser may hold unsent before a write
// fails: the bridge has stopped reading (the client's window keeps far
// fewer in flight).
const maxBuffered = 8 << 20

// errConnClosed is a read or write on a connection closed by this side.
var errConnClosed = errors.New("connection closed")

// dialConn connects to the bridge at rawURL through the browser's
// WebSocket, with o.Token as ?token=T. The handshake may take handshake at
// most.
func dialConn(ctx context.Context, rawURL string, o ClientOptions, handshake time.Duration) (wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("robot bridge %q: %w", rawURL, err)
	}
	if o.Token != "" {
		q := u.Query()
		q.Set("token", o.Token)
		u.RawQuery = q.Encode()
	}
	ctor := js.Global().Get("WebSocket")
	if ctor.Type() != js.TypeFunction {
		return nil, &DialError{URL: rawURL, Reason: "this browser cannot open WebSocket connections"}
	}
	c := &browserConn{notify: make(chan struct{}, 1)}
	opened := make(chan struct{})
	if err := c.open(ctor, u.String(), opened); err != nil {
		return nil, &DialError{URL: rawURL, Reason: "the browser refused the address", Err: err}
	}
	timer := time.NewTimer(handshake)
	defer timer.Stop()
	var reason string
	select {
	case <-opened:
		return c, nil
	case <-c.notify: // closed before it opened
		// The browser does not say why (a wrong token, a refused page and
		// nothing listening look alike to a page, on purpose).
		reason = "could not connect: is 'mbotdraw bridge' running there, and was this page opened with the teacher's address (with its ?token=)?"
	case <-timer.C:
		reason = "no answer: is that computer switched on and on the same network?"
	case <-ctx.Done():
		reason = ctx.Err().Error()
	}
	c.close()
	return nil, &DialError{URL: rawURL, Reason: reason, Err: c.failure()}
}

// open creates the socket and its handlers; opened is closed when it opens.
func (c *browserConn) open(ctor js.Value, rawURL string, opened chan struct{}) (err error) {
	defer func() {
		if r := recover(); r != nil { // a SyntaxError for a bad URL
			err = fmt.Errorf("%v", r)
		}
	}()
	c.ws = ctor.New(rawURL)
	c.ws.Set("binaryType", "arraybuffer")
	on := func(event string, f func(ev js.Value)) {
		fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
			f(args[0])
			return nil
		})
		c.funcs = append(c.funcs, fn)
		c.ws.Set("on"+event, fn)
	}
	on("open", func(js.Value) { close(opened) })
	on("message", func(ev js.Value) {
		var data []byte
		switch d := ev.Get("data"); d.Type() {
		case js.TypeString:
			data = []byte(d.String())
		default: // an ArrayBuffer: a binary message
			a := js.Global().Get("Uint8Array").New(d)
			data = make([]byte, a.Get("length").Int())
			js.CopyBytesToGo(data, a)
		}
		c.mu.Lock()
		if c.err == nil {
			c.queue = append(c.queue, data)
		}
		c.mu.Unlock()
		c.wake()
	})
	on("close", func(ev js.Value) {
		c.fail(fmt.Errorf("connection closed (code %d %s)", ev.Get("code").Int(), ev.Get("reason").String()))
		// The last event: the handlers may go.
		for _, name := range []string{"onopen", "onmessage", "onclose"} {
			c.ws.Set(name, js.Null())
		}
		for _, fn := range c.funcs {
			fn.Release()
		}
	})
	return nil
}

// fail ends the connection with err, unless it has ended already.
func (c *browserConn) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.wake()
}

func (c *browserConn) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *browserConn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *browserConn) read(idle time.Duration) ([]byte, error) {
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			data := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return data, nil
		}
		err := c.err
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-c.notify:
		case <-timer.C:
			return nil, fmt.Errorf("nothing came from the bridge for %v", idle)
		}
	}
}

func (c *browserConn) writeText(data []byte, _ time.Duration) (err error) {
	if err := c.failure(); err != nil {
		return err
	}
	if c.ws.Get("readyState").Int() != 1 { // not OPEN
		return errConnClosed
	}
	if c.ws.Get("bufferedAmount").Int() > maxBuffered {
		return fmt.Errorf("the bridge has not taken the last %d bytes sent", maxBuffered)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("send: %v", r)
		}
	}()
	c.ws.Call("send", string(data))
	return nil
}

// closeNormal is the WebSocket close code of a normal closure.
const closeNormal = 1000

// close and closeNormally are one in the browser: its WebSocket always
// tells the bridge (1000, a normal closure).
func (c *browserConn) close() {
	c.fail(errConnClosed)
	c.ws.Call("close", closeNormal, "")
}

func (c *browserConn) closeNormally() { c.close() }
