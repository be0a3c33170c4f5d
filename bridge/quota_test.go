package bridge

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// fromAddr dials from another loopback address (127.0.0.2), as a second
// computer would.
func fromAddr(ip string) websocket.Dialer {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return websocket.Dialer{NetDialContext: nd.DialContext, HandshakeTimeout: 5 * time.Second}
}

// A job that holds the robot while others wait, by sending a tiny move now
// and then or by pausing and resuming, is dropped once its waits add up,
// and told why; the next job gets the robot.
func TestHoldingTheRobotAddsUp(t *testing.T) {
	for _, c := range []struct {
		name  string
		moves int // the job's moves, 10 mm each
		hold  func(a *testClient, seq *uint64)
		want  string
	}{
		{"a tiny move now and then", 1, func(a *testClient, seq *uint64) {
			*seq++
			a.send(wire.Message{Type: wire.TypeMoves, Seq: *seq, Moves: []wire.Move{{Kind: wire.Drive, Value: 0.01}}})
		}, "no moves"},
		{"pause and resume", 1000, func(a *testClient, _ *uint64) {
			a.send(wire.Message{Type: wire.TypePause})
			time.Sleep(60 * time.Millisecond)
			a.send(wire.Message{Type: wire.TypeResume})
		}, "paused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &Recorder{TimeScale: 1} // 10 mm take a tenth of a second or so
			_, srv := newTestServer(t, rec, Options{StallTimeout: 300 * time.Millisecond, MaxPause: 300 * time.Millisecond,
				ProgressInterval: 20 * time.Millisecond})
			a := dialTest(t, wsURL(srv, "/robot"), nil)
			job := []wire.Move{{Kind: wire.PenDown}}
			for i := 0; i < c.moves; i++ {
				job = append(job, wire.Move{Kind: wire.Drive, Value: 10})
			}
			a.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: job})
			wa := a.nextType(wire.TypeWelcome)
			b := dialTest(t, wsURL(srv, "/robot"), nil)
			b.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}, {Kind: wire.PenUp}}})
			wb := b.nextType(wire.TypeWelcome)
			b.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
			// Each hold is shorter than the limit; they add up past it.
			stop := make(chan struct{})
			held := make(chan struct{})
			go func() {
				defer close(held)
				seq := uint64(1)
				for i := 0; i < 200; i++ {
					select {
					case <-stop:
						return
					case <-time.After(150 * time.Millisecond):
					}
					c.hold(a, &seq)
				}
			}()
			e := a.nextType(wire.TypeError)
			close(stop)
			<-held
			if !strings.Contains(e.Message, c.want) || !strings.Contains(e.Message, "in all") {
				t.Errorf("error %q, want the reason (%s, in all)", e.Message, c.want)
			}
			if fin := waitFinished(b, wb.Job); fin.State != "done" {
				t.Errorf("the waiting job ended %q, want done", fin.State)
			}
			_ = wa
		})
	}
}

// One address cannot take every connection or every place in the queue; a
// client that leaves before its job began takes its job with it.
func TestQuotasPerClientAddress(t *testing.T) {
	s, srv := newTestServer(t, &Recorder{}, Options{MaxJobsPerAddr: 2, Limits: Limits{MaxClientsPerAddr: 4}})
	u := wsURL(srv, "/robot")
	var cs []*testClient
	for i := 0; i < 4; i++ {
		cs = append(cs, dialTest(t, u, nil))
	}
	if got := dialStatus(t, u, nil); got != 429 {
		t.Errorf("fifth connection from one address: HTTP %d, want 429", got)
	}
	d := fromAddr("127.0.0.2")
	other, _, err := d.Dial(u, nil)
	if err != nil {
		t.Fatalf("a connection from another address was refused: %v", err)
	}
	other.Close()
	// Jobs: two per address.
	for i, c := range cs[:2] {
		c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}}})
		if w := c.nextType(wire.TypeWelcome); w.Place != i {
			t.Fatalf("job %d at place %d", i, w.Place)
		}
	}
	cs[2].send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}}})
	if e := cs[2].nextType(wire.TypeError); !strings.Contains(e.Message, "jobs waiting") {
		t.Errorf("third job from one address: %q, want a refusal", e.Message)
	}
	// The second client vanishes before its job began: the job goes at
	// once, and a new one may take its place.
	cs[1].conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.queue)
		s.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs in the queue after the waiting job's client left, want 1", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cs[2].send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}}})
	if w := cs[2].nextType(wire.TypeWelcome); w.Place != 1 {
		t.Errorf("new job at place %d, want 1", w.Place)
	}
}

// Connections that never finish their handshake are capped, in all and per
// address, at accept: the rest are reset at once (a TCP reset costs both
// ends less than an orderly close), and another computer still gets in.
func TestHalfOpenConnectionsAreCapped(t *testing.T) {
	s := New(&Recorder{}, Options{Limits: Limits{MaxHandshakes: 20, MaxHandshakesPerAddr: 5, ConnectRate: 1000}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served })
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	var conns []net.Conn
	reset := 0
	for i := 0; i < 30; i++ {
		c, err := nd.Dial("tcp", ln.Addr().String())
		if errors.Is(err, syscall.ECONNRESET) {
			reset++ // reset before the dial returned
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	// The server resets what is over the cap: reading fails at once.
	reads := make(chan error, len(conns))
	for _, c := range conns {
		go func() {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err := c.Read(make([]byte, 1))
			reads <- err
		}()
	}
	for range conns {
		if err := <-reads; errors.Is(err, syscall.ECONNRESET) {
			reset++
		} else if err == io.EOF {
			t.Error("a connection over the cap was closed with a FIN, want a reset")
		}
	}
	if reset < 25 {
		t.Errorf("%d of 30 half-open connections from one address reset, want all but 5", reset)
	}
	c, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/robot", nil)
	if err != nil {
		t.Fatalf("a client from another address could not connect: %v", err)
	}
	c.Close()
	if st := s.Stats(); st.RefusedEarly < 25 {
		t.Errorf("RefusedEarly = %d, want 25 or more", st.RefusedEarly)
	}
}

// waitForAck reads c's messages until the bridge acknowledges a moves
// message.
func waitForAck(t *testing.T, c *websocket.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for an ack: %v", err)
		}
		m, err := wire.Decode(data)
		if err != nil {
			t.Fatalf("waiting for an ack: %v", err)
		}
		if m.Type == wire.TypeAck {
			return
		}
	}
}

// Clients that start jobs and vanish cost the others nothing: their jobs,
// which only waited, neither change the state everyone is sent (the
// queue's length is sent at the next progress tick, and came back by then)
// nor send everyone their final progress.
func TestVanishingJobsSendOthersNothing(t *testing.T) {
	// The ticker never ticks, and each client gets each broadcast slot at
	// once the first time, then at most once an hour: what the bridge
	// broadcast waits in the watcher's slots, where the test can see it.
	s, srv := newTestServer(t, &Recorder{}, Options{ProgressInterval: time.Hour})
	u := wsURL(srv, "/robot")
	drawing := dialTest(t, u, nil)
	drawing.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.Drive, Value: 1}}})
	drawing.nextType(wire.TypeAck)
	watcher := dialTest(t, u, nil)
	watcher.nextType(wire.TypeState)
	watcher.nextType(wire.TypeProgress)
	d := fromAddr("127.0.0.2")
	for i := 0; i < 5; i++ {
		c, _, err := d.Dial(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMessage(websocket.TextMessage, wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}}}.Encode()); err != nil {
			t.Fatal(err)
		}
		// Vanish once the job is queued (its ack came). Closing at once
		// races the bridge's first sends: a failed write ends the
		// connection before its message is read, and no job is made.
		waitForAck(t, c)
		c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n, started := len(s.queue), s.nextJob
		s.mu.Unlock()
		if n == 1 && started == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs in the queue, %d started; want the 5 vanished ones started and gone", n, started)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	for p := range s.h.peers {
		if p.data.(*owner).job != nil {
			continue // the drawing client
		}
		for i, name := range []string{"state", "progress"} {
			if m := p.slots[i].Load(); m != nil {
				t.Errorf("the watcher is sent a %s message because of the vanished jobs", name)
			}
		}
	}
}
