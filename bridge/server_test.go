package bridge

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"mbotdraw/bridge/wire"
)

// sendJob sends moves in messages of size, seq from first, then the end.
func sendJob(c *testClient, moves []wire.Move, size int, first uint64) uint64 {
	seq := first
	for i := 0; i < len(moves); i += size {
		c.send(wire.Message{Type: wire.TypeMoves, Seq: seq, Moves: moves[i:min(i+size, len(moves))]})
		seq++
	}
	return seq
}

func waitFinished(c *testClient, job uint64) wire.Message {
	c.t.Helper()
	return c.next(fmt.Sprintf("job %d finished", job), func(m wire.Message) bool {
		return m.Type == wire.TypeProgress && m.Job == job && m.Finished
	})
}

func TestJobIsDrawnAndAcked(t *testing.T) {
	rec := &Recorder{}
	_, srv := newTestServer(t, rec, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := testMoves(100)
	c.send(wire.Message{Type: wire.TypeHello, Key: "k0123456789abcdef", Total: len(moves)})
	w := c.nextType(wire.TypeWelcome)
	if w.Job == 0 || w.Place != 0 || w.Received != 0 {
		t.Fatalf("welcome = %+v, want a job at place 0 with nothing received", w)
	}
	end := sendJob(c, moves, 16, 1)
	c.send(wire.Message{Type: wire.TypeEnd, Seq: end})
	for seq := uint64(1); seq <= end; seq++ {
		a := c.nextType(wire.TypeAck)
		if a.Seq != seq {
			t.Fatalf("ack %d arrived when %d was due", a.Seq, seq)
		}
	}
	fin := waitFinished(c, w.Job)
	if fin.State != "done" || fin.Done != len(moves) || fin.Percent != 100 || fin.Strokes != 25 {
		t.Errorf("last progress = %+v, want done, %d moves, 25 strokes, 100%%", fin, len(moves))
	}
	if got := rec.Made(); !reflect.DeepEqual(got, moves) {
		t.Errorf("robot made %d moves, want the %d sent, in order", len(got), len(moves))
	}
}

func TestMovesWithoutHelloStartAJob(t *testing.T) {
	rec := &Recorder{}
	_, srv := newTestServer(t, rec, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := testMoves(8)
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves})
	w := c.nextType(wire.TypeWelcome)
	c.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	waitFinished(c, w.Job)
	if got := rec.Made(); !reflect.DeepEqual(got, moves) {
		t.Errorf("robot made %v, want %v", got, moves)
	}
}

func TestSequenceGapsAndDuplicates(t *testing.T) {
	rec := &Recorder{}
	s, srv := newTestServer(t, rec, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := testMoves(12)
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves[:4]})
	w := c.nextType(wire.TypeWelcome)
	c.nextType(wire.TypeAck)
	// A gap: seq 3 before 2 is refused, with an error naming it.
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 3, Moves: moves[8:]})
	if e := c.nextType(wire.TypeError); e.Seq != 3 {
		t.Errorf("error about seq %d, want 3: %s", e.Seq, e.Message)
	}
	// A duplicate of 1 is acked again and not applied.
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves[:4]})
	if a := c.nextType(wire.TypeAck); a.Seq != 1 {
		t.Errorf("ack %d, want 1 again", a.Seq)
	}
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 2, Moves: moves[4:8]})
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 3, Moves: moves[8:]})
	c.send(wire.Message{Type: wire.TypeEnd, Seq: 4})
	waitFinished(c, w.Job)
	if got := rec.Made(); !reflect.DeepEqual(got, moves) {
		t.Errorf("robot made %v, want %v", got, moves)
	}
	if s.Duplicates() != 1 {
		t.Errorf("Duplicates = %d, want 1", s.Duplicates())
	}
}

func TestQueueIsFairAndTellsPlaces(t *testing.T) {
	rec := &Recorder{TimeScale: 50}
	_, srv := newTestServer(t, rec, Options{})
	a := dialTest(t, wsURL(srv, "/robot"), nil)
	b := dialTest(t, wsURL(srv, "/robot"), nil)
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	ma, mb, mc := testMoves(40), testMoves(8), testMoves(4)
	a.send(wire.Message{Type: wire.TypeHello, Key: "aaaaaaaaaaaaaaaa"})
	wa := a.nextType(wire.TypeWelcome)
	b.send(wire.Message{Type: wire.TypeHello, Key: "bbbbbbbbbbbbbbbb"})
	wb := b.nextType(wire.TypeWelcome)
	c.send(wire.Message{Type: wire.TypeHello, Key: "cccccccccccccccc"})
	wc := c.nextType(wire.TypeWelcome)
	if wa.Place != 0 || wb.Place != 1 || wc.Place != 2 {
		t.Fatalf("places %d, %d, %d; want 0, 1, 2", wa.Place, wb.Place, wc.Place)
	}
	// The later clients send everything first: they still wait their turn.
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: mc})
	c.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	b.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: mb})
	b.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	end := sendJob(a, ma, 10, 1)
	a.send(wire.Message{Type: wire.TypeEnd, Seq: end})
	waitFinished(a, wa.Job)
	if q := b.nextType(wire.TypeQueue); q.Place != 0 {
		t.Errorf("b's place after a finished = %d, want 0", q.Place)
	}
	if q := c.nextType(wire.TypeQueue); q.Place != 1 {
		t.Errorf("c's place after a finished = %d, want 1", q.Place)
	}
	waitFinished(b, wb.Job)
	waitFinished(c, wc.Job)
	want := append(append(append([]wire.Move(nil), ma...), mb...), mc...)
	if got := rec.Made(); !reflect.DeepEqual(got, want) {
		t.Errorf("robot made %d moves; want a's %d, then b's %d, then c's %d", len(got), len(ma), len(mb), len(mc))
	}
}

func TestResumeAfterReconnectDrawsNothingTwice(t *testing.T) {
	rec := &Recorder{TimeScale: 20}
	_, srv := newTestServer(t, rec, Options{})
	moves := testMoves(60)
	key := "resume-key-0123456789"
	c1 := dialTest(t, wsURL(srv, "/robot"), nil)
	c1.send(wire.Message{Type: wire.TypeHello, Key: key, Total: len(moves)})
	w := c1.nextType(wire.TypeWelcome)
	sendJob(c1, moves[:30], 10, 1) // seq 1..3
	for i := 0; i < 3; i++ {
		c1.nextType(wire.TypeAck)
	}
	c1.conn.Close() // the network drops

	c2 := dialTest(t, wsURL(srv, "/robot"), nil)
	c2.send(wire.Message{Type: wire.TypeHello, Key: key, Total: len(moves)})
	w2 := c2.nextType(wire.TypeWelcome)
	if w2.Job != w.Job || w2.Received != 30 || w2.Seq != 3 {
		t.Fatalf("welcome back = %+v; want job %d with 30 moves received, seq 3", w2, w.Job)
	}
	// The client resends its last batch (unsure whether it arrived), then the rest.
	c2.send(wire.Message{Type: wire.TypeMoves, Seq: 3, Moves: moves[20:30]})
	end := sendJob(c2, moves[30:], 10, 4)
	c2.send(wire.Message{Type: wire.TypeEnd, Seq: end})
	waitFinished(c2, w.Job)
	if got := rec.Made(); !reflect.DeepEqual(got, moves) {
		t.Errorf("robot made %d moves, want exactly the %d of the job", len(got), len(moves))
	}
}

func TestOrphanJobIsDroppedWithPenLifted(t *testing.T) {
	rec := &Recorder{}
	_, srv := newTestServer(t, rec, Options{ResumeWindow: 200 * time.Millisecond, ProgressInterval: 20 * time.Millisecond})
	watcher := dialTest(t, wsURL(srv, "/robot"), nil)
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	c.send(wire.Message{Type: wire.TypeHello, Key: "orphan-0123456789"})
	w := c.nextType(wire.TypeWelcome)
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}, {Kind: wire.Drive, Value: 5}}})
	c.nextType(wire.TypeAck)
	c.conn.Close()
	fin := waitFinished(watcher, w.Job)
	if fin.State != "dropped" {
		t.Errorf("job ended %q, want dropped", fin.State)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rec.PenDown() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if rec.PenDown() {
		t.Error("the pen is still down after the job was dropped")
	}
}

func TestPauseLiftsPenAndResumeLowersIt(t *testing.T) {
	rec := &Recorder{TimeScale: 5} // a 10 mm drive takes 20 ms
	_, srv := newTestServer(t, rec, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := []wire.Move{{Kind: wire.PenDown}}
	for i := 0; i < 40; i++ {
		moves = append(moves, wire.Move{Kind: wire.Drive, Value: 10})
	}
	moves = append(moves, wire.Move{Kind: wire.PenUp})
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves})
	w := c.nextType(wire.TypeWelcome)
	c.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	c.next("drawing progress", func(m wire.Message) bool { return m.Type == wire.TypeProgress && m.Done >= 3 })
	c.send(wire.Message{Type: wire.TypePause})
	c.next("paused", func(m wire.Message) bool { return m.Type == wire.TypeState && m.State == wire.StatePaused })
	time.Sleep(50 * time.Millisecond)
	if rec.PenDown() {
		t.Error("pen is down while paused")
	}
	c.send(wire.Message{Type: wire.TypeResume})
	waitFinished(c, w.Job)
	// What was drawn: the job's moves with one lift and one drop around the
	// pause, nothing skipped, nothing twice.
	var drives, ups, downs int
	for _, m := range rec.Made() {
		switch m.Kind {
		case wire.Drive:
			drives++
		case wire.PenUp:
			ups++
		case wire.PenDown:
			downs++
		}
	}
	if drives != 40 || ups != 2 || downs != 2 {
		t.Errorf("made %d drives, %d lifts, %d drops; want 40, 2, 2", drives, ups, downs)
	}
}

func TestCancelStopsTheJobAndTheNextStarts(t *testing.T) {
	rec := &Recorder{TimeScale: 5}
	_, srv := newTestServer(t, rec, Options{})
	a := dialTest(t, wsURL(srv, "/robot"), nil)
	b := dialTest(t, wsURL(srv, "/robot"), nil)
	long := []wire.Move{{Kind: wire.PenDown}}
	for i := 0; i < 200; i++ {
		long = append(long, wire.Move{Kind: wire.Drive, Value: 10})
	}
	a.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: long})
	wa := a.nextType(wire.TypeWelcome)
	b.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: testMoves(4)})
	wb := b.nextType(wire.TypeWelcome)
	b.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	a.next("drawing", func(m wire.Message) bool { return m.Type == wire.TypeProgress && m.Done >= 2 })
	a.send(wire.Message{Type: wire.TypeCancel})
	if fin := waitFinished(a, wa.Job); fin.State != "cancelled" {
		t.Errorf("a's job ended %q, want cancelled", fin.State)
	}
	waitFinished(b, wb.Job)
	made := rec.Made()
	if n := len(made); n >= len(long) {
		t.Fatalf("robot made %d moves: the cancelled job was not stopped", n)
	}
	// The cancelled job's pen went up before b's job began.
	i := len(made) - 4
	if made[i-1].Kind != wire.PenUp {
		t.Errorf("move before b's job = %v, want a pen lift", made[i-1].Kind)
	}
}

func TestShutdownStopsRobotWithPenLifted(t *testing.T) {
	rec := &Recorder{TimeScale: 5}
	s := New(rec, Options{})
	srv := newHTTPTest(t, s)
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := []wire.Move{{Kind: wire.PenDown}}
	for i := 0; i < 100; i++ {
		moves = append(moves, wire.Move{Kind: wire.Drive, Value: 10})
	}
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves})
	c.next("drawing", func(m wire.Message) bool { return m.Type == wire.TypeProgress && m.Done >= 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if rec.PenDown() {
		t.Error("pen still down after Shutdown")
	}
	if rec.Stops() == 0 {
		t.Error("Shutdown did not stop the robot")
	}
	c.next("stopped state", func(m wire.Message) bool { return m.Type == wire.TypeState && m.State == wire.StateStopped })
	if code := c.closedWith(); code != 1001 {
		t.Errorf("close code %d, want 1001 (going away)", code)
	}
}

func TestStalledJobIsDroppedWhenOthersWait(t *testing.T) {
	rec := &Recorder{}
	_, srv := newTestServer(t, rec, Options{StallTimeout: 150 * time.Millisecond, ProgressInterval: 20 * time.Millisecond})
	a := dialTest(t, wsURL(srv, "/robot"), nil)
	a.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: testMoves(4)})
	wa := a.nextType(wire.TypeWelcome)
	time.Sleep(300 * time.Millisecond)
	// Alone, a silent job keeps the robot.
	a.roundTrip(1)
	b := dialTest(t, wsURL(srv, "/robot"), nil)
	b.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: testMoves(4)})
	wb := b.nextType(wire.TypeWelcome)
	b.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
	if e := a.nextType(wire.TypeError); !strings.Contains(e.Message, "no moves") {
		t.Errorf("error %q, want the reason", e.Message)
	}
	if fin := waitFinished(a, wa.Job); fin.State != "dropped" {
		t.Errorf("silent job ended %q, want dropped", fin.State)
	}
	waitFinished(b, wb.Job)
}

// The drawing job flips between drawing and waiting with every batch its
// client sends: only its owner is told; the others, who see the robot busy
// all along, get one state when the job starts, and every client gets at
// most one state and one progress message per progress interval.
func TestStateAndProgressAreCoalescedPerClient(t *testing.T) {
	rec := &Recorder{}
	_, srv := newTestServer(t, rec, Options{ProgressInterval: 100 * time.Millisecond})
	watcher := dialTest(t, wsURL(srv, "/robot"), nil)
	watcher.nextType(wire.TypeState) // idle
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	start := time.Now()
	const batches = 300
	w := wire.Message{}
	for seq := uint64(1); seq <= batches; seq++ {
		c.send(wire.Message{Type: wire.TypeMoves, Seq: seq, Moves: testMoves(8)})
		if seq == 1 {
			w = c.nextType(wire.TypeWelcome)
		}
		c.next("ack", func(m wire.Message) bool { return m.Type == wire.TypeAck && m.Seq == seq })
	}
	c.send(wire.Message{Type: wire.TypeEnd, Seq: batches + 1})
	waitFinished(c, w.Job)
	elapsed := time.Since(start)
	// Count what the watcher got, up to the answer to a ping sent now.
	watcher.send(wire.Message{Type: wire.TypePing, ID: 77})
	intervals := int(elapsed/(100*time.Millisecond)) + 2
	var states, progress, waits int
	for done := false; !done; {
		select {
		case m := <-watcher.msgs:
			switch m.Type {
			case wire.TypeState:
				states++
				if m.State == wire.StateWaiting {
					waits++
				}
			case wire.TypeProgress:
				progress++
			case wire.TypePong:
				done = true
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no pong")
		}
	}
	if waits > 0 {
		t.Errorf("a client without the job was told %d times that it waits for its moves", waits)
	}
	if states > 4 {
		t.Errorf("the watcher got %d state messages while one job was drawn, want the few that changed what it sees", states)
	}
	if progress > intervals+1 {
		t.Errorf("the watcher got %d progress messages in %v, want at most one per 100 ms (%d)", progress, elapsed, intervals)
	}
	if len(rec.Made()) != batches*8 {
		t.Errorf("robot made %d moves, want %d", len(rec.Made()), batches*8)
	}
}
