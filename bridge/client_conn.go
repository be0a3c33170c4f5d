//go:build !js

package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// gorillaConn is a connection to a bridge through gorilla's WebSocket, for
// programs (the browser has its own: client_conn_js.go).
type gorillaConn struct {
	c    *websocket.Conn
	idle time.Duration // read's idle limit, for the ping handler; reader only
}

// dialConn connects to the bridge at rawURL, sending o.Token as
// "Authorization: Bearer T" and offering permessage-deflate unless
// o.NoCompression. The handshake may take handshake at most.
func dialConn(ctx context.Context, rawURL string, o ClientOptions, handshake time.Duration) (wsConn, error) {
	hdr := http.Header{}
	if o.Token != "" {
		hdr.Set("Authorization", "Bearer "+o.Token)
	}
	d := websocket.Dialer{HandshakeTimeout: handshake, EnableCompression: !o.NoCompression}
	conn, resp, err := d.DialContext(ctx, rawURL, hdr)
	if err != nil {
		if resp != nil {
			switch resp.StatusCode {
			case http.StatusUnauthorized:
				return nil, fmt.Errorf("robot bridge %s: wrong or missing token (HTTP 401)", rawURL)
			case http.StatusForbidden:
				return nil, fmt.Errorf("robot bridge %s: refused (HTTP 403)", rawURL)
			}
			return nil, fmt.Errorf("robot bridge %s: HTTP %s", rawURL, resp.Status)
		}
		return nil, dialError(ctx, rawURL, err)
	}
	g := &gorillaConn{c: conn}
	// The bridge's WebSocket pings show that it is there: they extend the
	// read's idle limit, and are answered.
	conn.SetPingHandler(func(s string) error {
		_ = conn.SetReadDeadline(time.Now().Add(g.idle))
		return conn.WriteControl(websocket.PongMessage, []byte(s), time.Now().Add(time.Second))
	})
	return g, nil
}

func (g *gorillaConn) read(idle time.Duration) ([]byte, error) {
	g.idle = idle
	_ = g.c.SetReadDeadline(time.Now().Add(idle))
	_, data, err := g.c.ReadMessage()
	return data, err
}

func (g *gorillaConn) writeText(data []byte, timeout time.Duration) error {
	_ = g.c.SetWriteDeadline(time.Now().Add(timeout))
	return g.c.WriteMessage(websocket.TextMessage, data)
}

func (g *gorillaConn) closeNormally() {
	_ = g.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	g.c.Close()
}

func (g *gorillaConn) close() { g.c.Close() }

// dialError says why dialling url failed, plainly where the cause is a
// common one (not when ctx ended it).
func dialError(ctx context.Context, url string, err error) error {
	var dns *net.DNSError
	var ne net.Error
	var op *net.OpError
	reason := err.Error()
	switch {
	case ctx.Err() != nil:
	case errors.As(err, &dns):
		reason = fmt.Sprintf("no computer named %s was found: check the address", dns.Name)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		reason = "no answer: is that computer switched on and on the same network?"
	case errors.As(err, &op) && op.Op == "dial":
		// Refused, or no route: nothing listens at that address.
		reason = "nothing answers there: is 'mbotdraw bridge' running on that computer, and is the address right?"
	}
	return &DialError{URL: url, Reason: reason, Err: err}
}
