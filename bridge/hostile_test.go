package bridge

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// A web page on a foreign name that resolves to 127.0.0.1 (DNS rebinding)
// sends its own name as Host and Origin: without a token, both must be
// loopback, on the robot bridge, the companion's socket and its page.
func TestRebindingPageIsRefused(t *testing.T) {
	_, rsrv := newTestServer(t, &Recorder{}, Options{})
	_, lsrv := newTestLive(t, LiveOptions{})
	_, tsrv := newTestServer(t, &Recorder{}, Options{Token: "s3cret"})
	port := func(u string) string { return u[strings.LastIndex(u, ":"):] }
	hdr := func(host, origin string) http.Header {
		h := http.Header{"Host": {host}}
		if origin != "" {
			h.Set("Origin", origin)
		}
		return h
	}
	for _, c := range []struct {
		name, url    string
		host, origin string
		want         int
	}{
		{"rebinding page on the bridge", wsURL(rsrv, "/robot"), "evil.example" + port(rsrv.URL), "http://evil.example" + port(rsrv.URL), 403},
		{"rebinding page on the companion", wsURL(lsrv, "/live"), "evil.example" + port(lsrv.URL), "http://evil.example" + port(lsrv.URL), 403},
		{"foreign Host, no Origin", wsURL(rsrv, "/robot"), "evil.example", "", 403},
		{"foreign Host, loopback Origin", wsURL(rsrv, "/robot"), "evil.example", "http://127.0.0.1", 403},
		{"loopback Host, foreign Origin", wsURL(rsrv, "/robot"), "127.0.0.1" + port(rsrv.URL), "http://evil.example", 403},
		{"numeric rebinding", wsURL(rsrv, "/robot"), "192.168.1.7" + port(rsrv.URL), "http://192.168.1.7" + port(rsrv.URL), 403},
		{"localhost", wsURL(rsrv, "/robot"), "localhost" + port(rsrv.URL), "http://localhost" + port(rsrv.URL), 0},
		{"127.0.0.5", wsURL(lsrv, "/live"), "127.0.0.5" + port(lsrv.URL), "http://127.0.0.5:3000", 0},
		{"[::1]", wsURL(rsrv, "/robot"), "[::1]" + port(rsrv.URL), "http://[::1]" + port(rsrv.URL), 0},
		{"a program (no Origin)", wsURL(rsrv, "/robot"), "127.0.0.1" + port(rsrv.URL), "", 0},
		// With a token, the page's own host is enough (the token is the guard).
		{"token, same host", wsURL(tsrv, "/robot?token=s3cret"), "robot.school.example" + port(tsrv.URL), "http://robot.school.example" + port(tsrv.URL), 0},
		{"token, foreign page", wsURL(tsrv, "/robot?token=s3cret"), "robot.school.example" + port(tsrv.URL), "http://evil.example", 403},
	} {
		if got := dialStatus(t, c.url, hdr(c.host, c.origin)); got != c.want {
			t.Errorf("%s (Host %s, Origin %q): HTTP %d, want %d", c.name, c.host, c.origin, got, c.want)
		}
	}
	// The companion's page itself.
	req, _ := http.NewRequest("GET", lsrv.URL+"/", nil)
	req.Host = "evil.example" + port(lsrv.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("companion page for Host evil.example: HTTP %d, want 403", resp.StatusCode)
	}
}

// Errors quote at most a short prefix of what was wrong, however large.
func TestErrorRepliesQuoteAShortPrefix(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	big := strings.Repeat("<", 500_000)
	for _, msg := range []string{
		`{"type":"` + big + `"}`,
		`{"type":"moves","seq":1,"moves":[{"` + big + `":1}]}`,
		`{"type":"moves","seq":1,"moves":[{"pen":"` + big + `"}]}`,
		`{"type":"hello","key":"` + big + `"}`,
		big,
		`{"type":"ping","id":"` + big + `"}`,
	} {
		c.sendRaw([]byte(msg))
		e := c.nextType(wire.TypeError)
		if n := len(e.Encode()); n > 1000 {
			t.Errorf("error reply to %.30s… is %d bytes, want a short one: %.100s…", msg, n, e.Message)
		}
	}
	c.roundTrip(1)
}

// stalledDialer's clients have a tiny receive buffer, so that a client that
// never reads fills the server's send queue quickly.
var stalledDialer = websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
	nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			smallReceiveBuffer(fd, 2048)
		})
	}}
	return nd.Dial(network, addr)
}}

// The send queue is bounded in bytes: a client that never reads is closed
// (1008) once the answers waiting for it pass SendQueueBytes, however many
// messages the queue may hold.
func TestSendQueueIsBoundedInBytes(t *testing.T) {
	s := New(&Recorder{}, Options{Limits: Limits{SendQueue: 100_000, SendQueueBytes: 8 << 10, WriteTimeout: time.Minute,
		Rate: 1e6, Burst: 1e6, AbuseLimit: 1 << 30}})
	srv := newSmallBufferServer(t, s)
	stalled, _, err := stalledDialer.Dial(wsURL(srv, "/robot"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	// Each earns an error reply, which the client never reads.
	bad := []byte(`{"type":"moves","seq":1,"moves":[{"pen":"sideways"}]}`)
	deadline := time.Now().Add(20 * time.Second)
	for s.Stats().ClosedSlow == 0 && time.Now().Before(deadline) {
		_ = stalled.SetWriteDeadline(time.Now().Add(time.Second))
		for i := 0; i < 100; i++ {
			if stalled.WriteMessage(websocket.TextMessage, bad) != nil {
				break
			}
		}
	}
	if st := s.Stats(); st.ClosedSlow != 1 {
		t.Fatalf("a client that never reads was not closed (queue bound in bytes): %+v", st)
	}
	// It is told why, after what it was owed.
	_ = stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := stalled.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok && ce.Code != websocket.ClosePolicyViolation {
				t.Errorf("closed with %d, want 1008", ce.Code)
			}
			break
		}
	}
}

func newSmallBufferServer(t *testing.T, s *Server) *httpTestServer {
	srv := newUnstarted(s.Handler())
	srv.Listener = smallBufferListener{srv.Listener}
	srv.Start()
	t.Cleanup(func() { srv.Close(); _ = s.Shutdown(ctxTimeout(t, 5*time.Second)) })
	return srv
}

// Many clients that each sent one large message and stay connected hold no
// memory for it.
func TestLargeMessagesDoNotKeepReadBuffers(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{MaxClientsPerAddr: 100}})
	const clients = 40
	huge := append([]byte(`{"type":"ping","id":1}`), bytes.Repeat([]byte(" "), 900<<10)...)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	// Large messages that close their connection (not UTF-8) give their
	// buffer back too.
	bad := append(bytes.Clone(huge), 0xff)
	for i := 0; i < 2*maxLarge; i++ {
		c := dialTest(t, wsURL(srv, "/robot"), nil)
		c.sendRaw(bad)
		if code := c.closedWith(); code != websocket.CloseInvalidFramePayloadData {
			t.Fatalf("close code %d, want 1007", code)
		}
	}
	var cs []*testClient
	for i := 0; i < clients; i++ {
		cs = append(cs, dialTest(t, wsURL(srv, "/robot"), nil))
	}
	before := heap()
	// All at once: they share the hub's few large buffers.
	for _, c := range cs {
		c.conn.EnableWriteCompression(true)
		go func() { _ = c.conn.WriteMessage(websocket.TextMessage, huge) }()
	}
	for _, c := range cs {
		c.nextType(wire.TypePong)
	}
	after := heap()
	if grown := int64(after) - int64(before); grown > clients*(900<<10)/4 {
		t.Errorf("after %d clients each sent one 900 KB message, the heap grew by %d MB: read buffers kept", clients, grown>>20)
	}
	if n := len(s.h.large); n != 0 {
		t.Errorf("%d large read buffers still held after every message was answered", n)
	}
}

// A connection taken over by another with the job's key cannot start a job
// in its place (a phantom job with no key at the head of the queue).
func TestTakenOverConnectionStartsNoPhantomJob(t *testing.T) {
	rec := &Recorder{}
	s, srv := newTestServer(t, rec, Options{})
	key := "takeover-key-0123456789"
	c1 := dialTest(t, wsURL(srv, "/robot"), nil)
	c1.send(wire.Message{Type: wire.TypeHello, Key: key})
	w := c1.nextType(wire.TypeWelcome)
	c1.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: testMoves(4)})
	c1.nextType(wire.TypeAck)
	c2 := dialTest(t, wsURL(srv, "/robot"), nil)
	c2.send(wire.Message{Type: wire.TypeHello, Key: key})
	if w2 := c2.nextType(wire.TypeWelcome); w2.Job != w.Job {
		t.Fatalf("takeover welcomed to job %d, want %d", w2.Job, w.Job)
	}
	c1.nextType(wire.TypeError) // taken over
	for _, m := range []wire.Message{
		{Type: wire.TypeMoves, Seq: 2, Moves: testMoves(4)},
		{Type: wire.TypeMoves, Seq: 1, Moves: testMoves(4)},
		{Type: wire.TypeEnd, Seq: 2},
	} {
		c1.send(m)
		if e := c1.nextType(wire.TypeError); !strings.Contains(e.Message, "taken over") {
			t.Errorf("%s seq %d after the takeover: error %q, want it to say the job was taken over", m.Type, m.Seq, e.Message)
		}
	}
	// A connection without a job cannot start one in the middle.
	c3 := dialTest(t, wsURL(srv, "/robot"), nil)
	c3.send(wire.Message{Type: wire.TypeMoves, Seq: 5, Moves: testMoves(4)})
	if e := c3.nextType(wire.TypeError); e.Seq != 5 {
		t.Errorf("moves seq 5 without a job: error %+v, want one about seq 5", e)
	}
	c1.roundTrip(1)
	c3.roundTrip(1)
	s.mu.Lock()
	n := len(s.queue)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("%d jobs in the queue, want only the one taken over", n)
	}
}

// floodPings sends pings as fast as it can, up to 5,000, until the
// connection stops taking them.
func (c *testClient) floodPings() {
	for i := 0; i < 5000; i++ {
		if c.conn.WriteControl(websocket.PingMessage, []byte("flood"), time.Now().Add(time.Second)) != nil {
			return
		}
	}
}

// Control frames cost what messages cost: a ping flood is closed with 1008
// like a message flood.
func TestPingFloodIsRateLimitedThenClosed(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{Rate: 50, Burst: 50, AbuseLimit: 400}})
	other := dialTest(t, wsURL(srv, "/robot"), nil)
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	c.floodPings()
	if code := c.closedWith(); code != websocket.ClosePolicyViolation {
		t.Errorf("close code %d, want %d (policy violation)", code, websocket.ClosePolicyViolation)
	}
	other.roundTrip(1)
	if st := s.Stats(); st.ClosedAbuse != 1 {
		t.Errorf("ClosedAbuse = %d, want 1", st.ClosedAbuse)
	}
	// Its address may not come straight back; another may.
	if got := dialStatus(t, wsURL(srv, "/robot"), nil); got != 429 {
		t.Errorf("reconnecting from the flooding address: HTTP %d, want 429", got)
	}
	d := fromAddr("127.0.0.2")
	c2, _, err := d.Dial(wsURL(srv, "/robot"), nil)
	if err != nil {
		t.Fatalf("another address was refused: %v", err)
	}
	c2.Close()
}

// A client closed for flooding that keeps sending is cut off: the bridge
// discards a little of what follows its close frame (lingerBytes), not a
// second's worth of the flood.
func TestFloodAfterTheCloseIsCutOff(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{Rate: 50, Burst: 50, AbuseLimit: 400}})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	c.floodPings()
	if code := c.closedWith(); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want %d (policy violation)", code, websocket.ClosePolicyViolation)
	}
	// Far more than the sockets' buffers hold, sent at once.
	nc := c.conn.NetConn()
	_ = nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	frame := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	ping := append([]byte{0x89, 0x80 | byte(len(frame)), 0, 0, 0, 0}, frame...) // a masked ping
	more := bytes.Repeat(ping, (48<<20)/len(ping))
	if n, err := nc.Write(more); err == nil {
		t.Errorf("the bridge read %d MB after closing a flooding client, want it cut off", n>>20)
	}
}

// Only pongs that answer the bridge's own pings show a client alive: a
// client's own pongs keep neither an idle connection nor an unfinished
// message open past ReadTimeout.
func TestOwnPongsDoNotExtendDeadlines(t *testing.T) {
	for _, unfinished := range []bool{false, true} {
		_, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{ReadTimeout: 300 * time.Millisecond, PingInterval: time.Hour}})
		c := dialTest(t, wsURL(srv, "/robot"), nil)
		if unfinished {
			w, err := c.conn.NextWriter(websocket.TextMessage)
			if err != nil {
				t.Fatal(err)
			}
			// More than the write buffer: the first frame goes out, the
			// message stays open.
			_, _ = w.Write(append([]byte(`{"type":"ping","id":1,"x":"`), bytes.Repeat([]byte("a"), 16<<10)...))
		}
		closed := false
		for i := 0; i < 200 && !closed; i++ {
			_ = c.conn.WriteControl(websocket.PongMessage, []byte("mine"), time.Now().Add(time.Second))
			select {
			case <-c.ended:
				closed = true
			case <-time.After(50 * time.Millisecond):
			}
		}
		if !closed {
			t.Errorf("unfinished message %v: the client's own pongs kept the connection open 10 s past a 300 ms read timeout", unfinished)
		}
	}
}

// Text must be UTF-8 (1007); binary messages are refused (1003).
func TestInvalidFramesAreClosedWithTheirCodes(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{})
	for _, c := range []struct {
		name string
		typ  int
		data string
		want int
	}{
		{"invalid UTF-8", websocket.TextMessage, "{\"type\":\"ping\",\"id\":1,\"x\":\"\xff\xfe\"}", websocket.CloseInvalidFramePayloadData},
		{"bare bytes", websocket.TextMessage, "\x00\xff\xfe", websocket.CloseInvalidFramePayloadData},
		{"binary", websocket.BinaryMessage, `{"type":"ping","id":1}`, websocket.CloseUnsupportedData},
	} {
		cl := dialTest(t, wsURL(srv, "/robot"), nil)
		if err := cl.conn.WriteMessage(c.typ, []byte(c.data)); err != nil {
			t.Fatal(err)
		}
		if code := cl.closedWith(); code != c.want {
			t.Errorf("%s: close code %d, want %d", c.name, code, c.want)
		}
	}
}

// flakyRobot loses its link during the first Run, then draws.
type flakyRobot struct {
	Recorder
	once sync.Once
}

func (r *flakyRobot) Run(ctx context.Context, moves []wire.Move, report func(RobotEvent)) error {
	r.once.Do(func() { report(RobotEvent{Lost: true}); report(RobotEvent{Lost: false}) })
	return r.Recorder.Run(ctx, moves, report)
}

// A lost robot is written to the bridge's console (its Logf), and its
// return too.
func TestLostRobotIsLogged(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logf := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, sprintf(format, a...))
	}
	_, srv := newTestServer(t, &flakyRobot{}, Options{Logf: logf})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: testMoves(4)})
	w := c.nextType(wire.TypeWelcome)
	c.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	waitFinished(c, w.Job)
	mu.Lock()
	all := strings.Join(lines, "\n")
	mu.Unlock()
	if !strings.Contains(all, "lost") || !strings.Contains(all, "back") {
		t.Errorf("console:\n%s\nwant the robot's loss and return", all)
	}
}
