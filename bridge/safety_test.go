package bridge

import (
	"bytes"
	"encoding/binary"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

func TestCheckListen(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8765", "", true},
		{"localhost:8765", "", true},
		{"[::1]:8765", "", true},
		{"127.0.0.2:0", "", true},
		{"0.0.0.0:8765", "", false},
		{":8765", "", false},
		{"192.168.1.20:8765", "", false},
		{"[::]:8765", "", false},
		{"0.0.0.0:8765", "s3cret", true},
		{"nonsense", "", false},
	} {
		err := CheckListen(c.addr, c.token)
		if (err == nil) != c.ok {
			t.Errorf("CheckListen(%q, %q) = %v; want ok=%v", c.addr, c.token, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), c.addr) {
			t.Errorf("error %q does not name the address", err)
		}
	}
}

// dialStatus dials and returns the HTTP status of the refusal (0 if it
// connected).
func dialStatus(t *testing.T, url string, hdr http.Header) int {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(url, hdr)
	if err == nil {
		conn.Close()
		return 0
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return resp.StatusCode
}

func TestTokenIsCheckedBeforeTheUpgrade(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{Token: "s3cret"})
	u := wsURL(srv, "/robot")
	bearer := func(v string) http.Header { return http.Header{"Authorization": {v}} }
	for _, c := range []struct {
		name string
		url  string
		hdr  http.Header
		want int
	}{
		{"missing", u, nil, 401},
		{"wrong bearer", u, bearer("Bearer nope"), 401},
		{"wrong query", u + "?token=nope", nil, 401},
		{"empty bearer", u, bearer("Bearer "), 401},
		{"right bearer", u, bearer("Bearer s3cret"), 0},
		{"right query", u + "?token=s3cret", nil, 0},
	} {
		if got := dialStatus(t, c.url, c.hdr); got != c.want {
			t.Errorf("%s token: HTTP %d, want %d", c.name, got, c.want)
		}
	}
	// The refusal is plain HTTP, before any upgrade.
	resp, err := http.Get(srv.URL + "/robot")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("plain GET without token: %d, want 401", resp.StatusCode)
	}
}

func TestForeignOriginIsRefused(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{})
	u := wsURL(srv, "/robot")
	host := strings.TrimPrefix(srv.URL, "http://")
	origin := func(o string) http.Header { return http.Header{"Origin": {o}} }
	for _, c := range []struct {
		origin string
		want   int
	}{
		{"http://evil.example", 403},
		{"https://192.168.1.7:8765", 403},
		{"null", 403},
		{"http://" + host, 0},
		{"http://localhost:3000", 0},
		{"http://127.0.0.1:9", 0},
	} {
		if got := dialStatus(t, u, origin(c.origin)); got != c.want {
			t.Errorf("Origin %s: HTTP %d, want %d", c.origin, got, c.want)
		}
	}
	if got := dialStatus(t, u, nil); got != 0 {
		t.Errorf("no Origin (a program): HTTP %d, want a connection", got)
	}
}

func TestHugeMessageClosesOnlyThatClient(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{})
	good := dialTest(t, wsURL(srv, "/robot"), nil)
	bad := dialTest(t, wsURL(srv, "/robot"), nil)
	huge := bytes.Repeat([]byte("x"), 10<<20)
	// The write may fail part-way when the server closes; that is the point.
	_ = bad.conn.WriteMessage(websocket.TextMessage, huge)
	if code := bad.closedWith(); code != websocket.CloseMessageTooBig {
		t.Errorf("close code %d, want %d (message too big)", code, websocket.CloseMessageTooBig)
	}
	good.roundTrip(1)
	if st := s.Stats(); st.ClosedTooBig != 1 {
		t.Errorf("ClosedTooBig = %d, want 1", st.ClosedTooBig)
	}
}

func TestHugeCompressedMessageIsMeasuredDecompressed(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	c.conn.EnableWriteCompression(true)
	// 10 MB of spaces deflate to a few kilobytes on the wire.
	_ = c.conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte(" "), 10<<20))
	if code := c.closedWith(); code != websocket.CloseMessageTooBig {
		t.Errorf("close code %d, want %d", code, websocket.CloseMessageTooBig)
	}
}

func TestMalformedMessagesGetErrorsAndTheConnectionStays(t *testing.T) {
	_, srv := newTestServer(t, &Recorder{}, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	for _, bad := range []struct{ msg, want string }{
		{`{"type":"moves","seq":1,"moves":[`, "invalid JSON"},
		{`not json at all`, "invalid JSON"},
		{`[1,2,3]`, "JSON object"},
		{`{"seq":4}`, `no "type"`},
		{`{"type":"teleport"}`, `unknown message type "teleport"`},
		{`{"type":"moves","seq":1,"moves":[{"fly":3}]}`, `moves[0]`},
		{`{"type":"moves","seq":1,"moves":[{"drive":1e9}]}`, `beyond`},
		{`{"type":"moves","seq":"one","moves":[]}`, `"seq"`},
		{`{"type":"pad","points":[]}`, `not used on /robot`},
	} {
		c.sendRaw([]byte(bad.msg))
		e := c.nextType(wire.TypeError)
		if !strings.Contains(e.Message, bad.want) {
			t.Errorf("%q: error %q, want it to mention %q", bad.msg, e.Message, bad.want)
		}
	}
	c.roundTrip(7)
}

func TestFloodIsRateLimitedThenClosed(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{Rate: 50, Burst: 50, AbuseLimit: 400}})
	other := dialTest(t, wsURL(srv, "/robot"), nil)
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	// 200 pings at once: the burst passes, the rest get errors, no disconnect.
	var batch []byte
	for i := 0; i < 200; i++ {
		batch = wire.Message{Type: wire.TypePing, ID: uint64(i + 1)}.Encode()
		c.sendRaw(batch)
	}
	e := c.nextType(wire.TypeError)
	if !strings.Contains(e.Message, "rate limit") {
		t.Errorf("error %q, want a rate limit", e.Message)
	}
	time.Sleep(200 * time.Millisecond) // the bucket refills
	c.roundTrip(1000)
	other.roundTrip(1)
	// Keep flooding past the abuse limit: closed with 1008.
	for i := 0; i < 2000; i++ {
		if c.conn.WriteMessage(websocket.TextMessage, batch) != nil {
			break
		}
	}
	if code := c.closedWith(); code != websocket.ClosePolicyViolation {
		t.Errorf("close code %d, want %d (policy violation)", code, websocket.ClosePolicyViolation)
	}
	other.roundTrip(2)
	st := s.Stats()
	if st.RateLimited == 0 || st.ClosedAbuse != 1 {
		t.Errorf("stats %+v: want rate-limited messages and one client closed for abuse", st)
	}
}

// smallBufferListener makes the server's socket buffers small, like a slow
// network, so that a client that stops reading is noticed quickly.
type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

func TestClientThatStopsReadingStallsNobody(t *testing.T) {
	rec := &Recorder{TimeScale: 50}
	s := New(rec, Options{Limits: Limits{SendQueue: 16, WriteTimeout: 500 * time.Millisecond, Rate: 10000, Burst: 10000, AbuseLimit: 1 << 20}})
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Listener = smallBufferListener{srv.Listener}
	srv.Start()
	t.Cleanup(func() { srv.Close(); _ = s.Shutdown(ctxTimeout(t, 5*time.Second)) })

	// The stalled client: a tiny receive buffer, and it never reads.
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				smallReceiveBuffer(fd, 2048)
			})
		}}
		return nd.Dial(network, addr)
	}}
	stalled, _, err := d.Dial(wsURL(srv, "/robot"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	var writing atomic.Bool
	writing.Store(true)
	go func() {
		// Every ping asks for a pong the client never reads.
		for i := 0; writing.Load() && i < 200000; i++ {
			_ = stalled.SetWriteDeadline(time.Now().Add(2 * time.Second))
			if stalled.WriteMessage(websocket.TextMessage, wire.Message{Type: wire.TypePing, ID: uint64(i)}.Encode()) != nil {
				return
			}
		}
	}()
	defer writing.Store(false)

	// Meanwhile another client's job is drawn and its pings answered.
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := testMoves(200)
	end := sendJob(c, moves, 16, 1)
	c.send(wire.Message{Type: wire.TypeEnd, Seq: end})
	w := c.nextType(wire.TypeWelcome)
	waitFinished(c, w.Job)
	c.roundTrip(99)
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().ClosedSlow == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s.Stats().ClosedSlow == 0 {
		t.Error("the client that stopped reading was not closed")
	}
	c.roundTrip(100)
	if got := len(rec.Made()); got != len(moves) {
		t.Errorf("robot made %d moves, want %d", got, len(moves))
	}
}

func TestTooManyClientsAreTurnedAway(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{MaxClients: 2}})
	a := dialTest(t, wsURL(srv, "/robot"), nil)
	b := dialTest(t, wsURL(srv, "/robot"), nil)
	if got := dialStatus(t, wsURL(srv, "/robot"), nil); got != 503 {
		t.Errorf("third client: HTTP %d, want 503", got)
	}
	a.roundTrip(1)
	b.roundTrip(2)
	if s.Stats().Refused != 1 {
		t.Errorf("Refused = %d, want 1", s.Stats().Refused)
	}
}

// A client's own pongs (unsolicited, or a ping's answer sent again) are not
// round trips: they must not reach the RTT statistics.
func TestUnsolicitedPongsAreNotMeasured(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{PingInterval: time.Hour}})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	for _, v := range []uint64{0, 1, 1 << 62, math.MaxUint64} {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], v)
		if err := c.conn.WriteControl(websocket.PongMessage, b[:], time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	c.roundTrip(1) // the pongs were read before the ping
	if st := s.Stats(); st.RTTCount != 0 {
		t.Errorf("%d round trips measured from pongs nobody asked for (max %v ms), want 0", st.RTTCount, st.RTT.Max)
	}
}

func TestPingsAreMeasured(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{Limits: Limits{PingInterval: 10 * time.Millisecond}})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	for deadline := time.Now().Add(5 * time.Second); s.Stats().RTTCount < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("%d round trips measured in 5 s of pings every 10 ms, want 3 or more", s.Stats().RTTCount)
		}
		c.roundTrip(2) // the client answers pings while it reads
		time.Sleep(10 * time.Millisecond)
	}
	if st := s.Stats(); !(st.RTT.Max > 0 && st.RTT.Max < 5000) {
		t.Errorf("ping round trip max %v ms on loopback", st.RTT.Max)
	}
}
