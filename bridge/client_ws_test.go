package bridge_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"mbotdraw/bridge"
	"mbotdraw/bridge/wire"

	"github.com/gorilla/websocket"
)

func bridgeURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/robot"
}

func startBridge(t *testing.T, r bridge.Robot, o bridge.Options) *httptest.Server {
	t.Helper()
	s := bridge.New(r, o)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return srv
}

// squares returns moves drawing n small squares.
func squares(n int) []wire.Move {
	var out []wire.Move
	for i := 0; i < n; i++ {
		out = append(out, wire.Move{Kind: wire.PenDown})
		for k := 0; k < 4; k++ {
			out = append(out, wire.Move{Kind: wire.Drive, Value: float32(5 + i%3)}, wire.Move{Kind: wire.Turn, Value: 90})
		}
		out = append(out, wire.Move{Kind: wire.PenUp}, wire.Move{Kind: wire.Drive, Value: 12})
	}
	return out
}

func TestClientPlotDrawsEveryMoveOnce(t *testing.T) {
	rec := &bridge.Recorder{}
	srv := startBridge(t, rec, bridge.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, err := bridge.Dial(ctx, bridgeURL(srv), bridge.ClientOptions{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	moves := squares(50)
	var last bridge.JobReport
	var reports int
	err = ws.Plot(ctx, moves, func(p bridge.JobReport) { last = p; reports++ })
	if err != nil {
		t.Fatal(err)
	}
	if !last.Finished || last.State != "done" || last.Done != len(moves) || last.Strokes != 50 {
		t.Errorf("last report %+v; want done with %d moves and 50 strokes", last, len(moves))
	}
	if got := rec.Made(); !reflect.DeepEqual(got, moves) {
		t.Errorf("robot made %d moves, want the %d planned, in order", len(got), len(moves))
		for i := range got {
			if i >= len(moves) || got[i] != moves[i] {
				t.Logf("first difference at %d: %v; around: got %v want %v", i, got[i], got[max(0, i-3):i+5], moves[max(0, i-3):min(len(moves), i+5)])
				break
			}
		}
	}
	if reports == 0 {
		t.Error("no progress reports")
	}
}

func TestClientWrongTokenIsAClearError(t *testing.T) {
	srv := startBridge(t, &bridge.Recorder{}, bridge.Options{Token: "right"})
	_, err := bridge.Dial(context.Background(), bridgeURL(srv), bridge.ClientOptions{Token: "wrong"})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("err = %v, want a 401 error", err)
	}
	ws, err := bridge.Dial(context.Background(), bridgeURL(srv), bridge.ClientOptions{Token: "right"})
	if err != nil {
		t.Fatalf("right token: %v", err)
	}
	ws.Close()
}

func TestIsURL(t *testing.T) {
	for spec, want := range map[string]bool{
		"ws://h:1/robot": true, "wss://h/robot": true, "sim": false, "serial:/dev/ttyUSB0": false,
		"COM3": false, "http://h:1/robot": false, "": false,
	} {
		if got := bridge.IsURL(spec); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", spec, got, want)
		}
	}
}

// cutter is a TCP proxy whose connections can all be cut at once, like a
// flaky Wi-Fi between a laptop and the bridge.
type cutter struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	// cutAfter, if positive, cuts every connection once that many bytes
	// have gone from client to server.
	cutAfter int64
	sent     int64
	cuts     int
}

// countingWriter counts what goes to the server and cuts at the threshold.
type countingWriter struct {
	c *cutter
	w io.Writer
}

func (cw countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.c.mu.Lock()
	cw.c.sent += int64(n)
	cut := cw.c.cutAfter > 0 && cw.c.sent > cw.c.cutAfter && cw.c.cuts == 0
	cw.c.mu.Unlock()
	if cut {
		cw.c.cut()
	}
	return n, err
}

func newCutter(t *testing.T, target string, cutAfter int64) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target, cutAfter: cutAfter}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { _, _ = io.Copy(countingWriter{c, out}, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); c.cut() })
	return c
}

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cuts++
	for _, k := range c.conns {
		k.Close()
	}
	c.conns = nil
}

func TestClientResumesAfterTheLinkIsCut(t *testing.T) {
	rec := &bridge.Recorder{TimeScale: 200}
	srv := startBridge(t, rec, bridge.Options{})
	// Cut the link once about 3 KB of moves have gone out: mid-stream, with
	// batches in flight and unacked.
	px := newCutter(t, strings.TrimPrefix(srv.URL, "http://"), 3000)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, err := bridge.Dial(ctx, "ws://"+px.ln.Addr().String()+"/robot", bridge.ClientOptions{Window: 4, Batch: wire.BatchOptions{Size: 10}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	moves := squares(40)
	var reconnects int
	err = ws.Plot(ctx, moves, func(p bridge.JobReport) { reconnects = p.Reconnects })
	if err != nil {
		t.Fatal(err)
	}
	if reconnects == 0 {
		t.Error("the link was never cut and redialled")
	}
	if got := rec.Made(); !reflect.DeepEqual(got, moves) {
		t.Errorf("robot made %d moves, want exactly the %d planned (nothing twice, nothing skipped)", len(got), len(moves))
	}
}

func TestClientCancelLiftsThePen(t *testing.T) {
	rec := &bridge.Recorder{TimeScale: 2}
	srv := startBridge(t, rec, bridge.Options{})
	ws, err := bridge.Dial(context.Background(), bridgeURL(srv), bridge.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ctx, cancel := context.WithCancel(context.Background())
	moves := squares(100)
	err = ws.Plot(ctx, moves, func(p bridge.JobReport) {
		if p.Done > 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rec.PenDown() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if rec.PenDown() {
		t.Error("pen still down after the plot was cancelled")
	}
	if n := len(rec.Made()); n >= len(moves) {
		t.Errorf("robot made all %d moves despite the cancel", n)
	}
}

// Closing the link while it redials a bridge that is down, and then the
// redial giving up, must not close the link a second time (a panic).
func TestClientCloseWhileRedialling(t *testing.T) {
	up := websocket.Upgrader{}
	var requests sync.WaitGroup
	requests.Add(1)
	hanging := make(chan struct{}, 1)
	release := make(chan struct{})
	first := true
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		isFirst := first
		first = false
		mu.Unlock()
		if isFirst {
			c, err := up.Upgrade(rw, r, nil)
			if err != nil {
				return
			}
			c.ReadMessage() // the hello
			c.Close()       // the bridge goes down
			return
		}
		// The bridge's host is up but its server hangs, then fails.
		select {
		case hanging <- struct{}{}:
		default:
		}
		<-release
		http.Error(rw, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := bridge.Dial(ctx, bridgeURL(srv), bridge.ClientOptions{RetryFor: 50 * time.Millisecond, PingInterval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	j, err := ws.Start(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.Add(wire.Move{Kind: wire.Drive, Value: 10})
	j.End()
	select {
	case <-hanging:
	case <-ctx.Done():
		t.Fatal("the link never redialled")
	}
	closed := make(chan struct{})
	go func() { ws.Close(); close(closed) }()
	time.Sleep(100 * time.Millisecond) // Close has begun; RetryFor has passed
	close(release)
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close did not return")
	}
	if err := j.Wait(ctx); err == nil {
		t.Error("the job succeeded on a bridge that went down")
	}
}

// A bridge that cannot be reached is said in plain words: nothing listening
// at the address, or a computer that takes the connection and never
// answers.
func TestClientDialErrorsArePlain(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	for _, tc := range []struct{ addr, want string }{
		{closed, "nothing answers there: is 'mbotdraw bridge' running on that computer"},
		{silent.Addr().String(), "no answer"},
	} {
		url := "ws://" + tc.addr + "/robot"
		_, err := bridge.Dial(context.Background(), url, bridge.ClientOptions{})
		var de *bridge.DialError
		if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), "robot bridge "+url+": "+tc.want) || strings.Contains(err.Error(), "tcp") {
			t.Errorf("dialling %s: %v; want a plain %q", url, err, tc.want)
		}
	}
	// The caller's own cancelling is not dressed up.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := bridge.Dial(ctx, "ws://"+closed+"/robot", bridge.ClientOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled dial: %v, want context.Canceled", err)
	}
}
