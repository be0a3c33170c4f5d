package bridge

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// testClient is a real WebSocket client on loopback that decodes what it
// receives into a channel.
type testClient struct {
	t    *testing.T
	conn *websocket.Conn
	msgs chan wire.Message
	// closeErr is the error that ended the reader (a *websocket.CloseError
	// when the server closed with a code).
	mu       sync.Mutex
	closeErr error
	ended    chan struct{}
}

func wsURL(srv *httptest.Server, path string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + path
}

func dialTest(t *testing.T, url string, hdr http.Header) *testClient {
	t.Helper()
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial(url, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	c := &testClient{t: t, conn: conn, msgs: make(chan wire.Message, 10000), ended: make(chan struct{})}
	go func() {
		defer close(c.ended)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				c.mu.Lock()
				c.closeErr = err
				c.mu.Unlock()
				return
			}
			if strings.HasPrefix(string(data), `{"type":"drawing"`) {
				continue // for the page's script, not package wire
			}
			m, err := wire.Decode(data)
			if err != nil {
				t.Errorf("server sent an invalid message %.200s: %v", data, err)
				continue
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return c
}

func (c *testClient) send(m wire.Message) {
	c.t.Helper()
	c.sendRaw(m.Encode())
}

func (c *testClient) sendRaw(data []byte) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next message that satisfies ok, skipping others.
func (c *testClient) next(what string, ok func(m wire.Message) bool) wire.Message {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-c.msgs:
			if ok(m) {
				return m
			}
		case <-c.ended:
			// Drain what arrived before the end.
			for {
				select {
				case m := <-c.msgs:
					if ok(m) {
						return m
					}
				default:
					c.t.Fatalf("waiting for %s: connection ended: %v", what, c.err())
				}
			}
		case <-timeout:
			c.t.Fatalf("waiting for %s: timed out", what)
		}
	}
}

func (c *testClient) nextType(typ string) wire.Message {
	c.t.Helper()
	return c.next(typ, func(m wire.Message) bool { return m.Type == typ })
}

func (c *testClient) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// closedWith waits for the server to close the connection and returns the
// close code (0 when it ended without one).
func (c *testClient) closedWith() int {
	c.t.Helper()
	select {
	case <-c.ended:
	case <-time.After(10 * time.Second):
		c.t.Fatal("the server did not close the connection")
	}
	if ce, ok := c.err().(*websocket.CloseError); ok {
		return ce.Code
	}
	return 0
}

// roundTrip checks the connection still works: a ping gets its pong.
func (c *testClient) roundTrip(id uint64) {
	c.t.Helper()
	c.send(wire.Message{Type: wire.TypePing, ID: id})
	c.next("pong", func(m wire.Message) bool { return m.Type == wire.TypePong && m.ID == id })
}

// newTestServer serves a bridge over a Recorder on loopback.
func newTestServer(t *testing.T, r Robot, o Options) (*Server, *httptest.Server) {
	t.Helper()
	s := New(r, o)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = s.Shutdown(ctxTimeout(t, 5*time.Second))
	})
	return s, srv
}

// lines returns n moves that draw n/4 small squares: pen down, drive, turn,
// pen up.
func testMoves(n int) []wire.Move {
	out := make([]wire.Move, 0, n)
	for i := 0; len(out) < n; i++ {
		switch i % 4 {
		case 0:
			out = append(out, wire.Move{Kind: wire.PenDown})
		case 1:
			out = append(out, wire.Move{Kind: wire.Drive, Value: float32(10 + i%7)})
		case 2:
			out = append(out, wire.Move{Kind: wire.Turn, Value: float32(90 - i%5)})
		case 3:
			out = append(out, wire.Move{Kind: wire.PenUp})
		}
	}
	return out
}

func newHTTPTest(t *testing.T, s *Server) *httptest.Server {
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

type httpTestServer = httptest.Server

func newUnstarted(h http.Handler) *httptest.Server { return httptest.NewUnstartedServer(h) }

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
