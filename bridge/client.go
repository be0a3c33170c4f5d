package bridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"mbotdraw/bridge/wire"
	"mbotdraw/perf"
)

// The client of a robot bridge (`mbotdraw bridge`), beside the server it
// talks to, as gorilla keeps client.go beside server.go: plot, the window
// and package robotconn reach a ws:// robot through it. It carries moves
// (pen up/down, turn, drive; package wire), not Makeblock frames: the bridge
// times them with its own robot's calibration.
//
// The same client runs in programs and in the browser player: it reaches
// the bridge through a wsConn, gorilla's WebSocket in programs
// (client_conn.go) and the browser's own WebSocket in js/wasm
// (client_conn_js.go).

// wsConn is one WebSocket connection to a bridge, as the client uses it.
// One goroutine reads and one writes; close and closeNormally may be
// called from any goroutine, any number of times.
type wsConn interface {
	// read returns the next message's data. It fails once the connection
	// is lost or closed, or when nothing came for idle (a WebSocket ping
	// from the bridge counts, where the connection sees them); the caller
	// then closes it.
	read(idle time.Duration) ([]byte, error)
	// writeText sends data as one text message; it fails when the
	// connection is closed or the message could not go within timeout
	// (where the connection can tell).
	writeText(data []byte, timeout time.Duration) error
	// closeNormally tells the bridge that the connection ends normally
	// (WebSocket close code 1000), then closes it.
	closeNormally()
	// close closes the connection at once: a read under way fails.
	close()
}

// IsURL reports whether spec names a robot bridge (ws:// or wss://).
func IsURL(spec string) bool {
	return strings.HasPrefix(spec, "ws://") || strings.HasPrefix(spec, "wss://")
}

// ClientOptions tune Dial. The zero value is the documented default.
type ClientOptions struct {
	// Token is the bridge's token, sent as "Authorization: Bearer T" (a
	// ?token=T in the URL works too). A browser cannot set headers: there
	// it goes as ?token=T.
	Token string
	// Batch says when moves are sent: 16 moves or 16 ms, whichever comes
	// first (the profile's BatchSize and BatchDelay).
	Batch wire.BatchOptions
	// NoCompression turns permessage-deflate off (the profile's Compression
	// false). A browser always offers it: there the bridge decides.
	NoCompression bool
	// Window is the most moves messages sent and not yet acked (0: 64).
	Window int
	// PingInterval is how often the round trip is measured (0: 1 s). A
	// bridge silent for three intervals is taken as lost.
	PingInterval time.Duration
	// RetryFor is how long a lost bridge is redialled before a plot fails
	// (0: 30 s); a Remote also gives up when the bridge's robot stays lost
	// that long without drawing.
	RetryFor time.Duration
	// Logf, if set, receives one line per reconnection.
	Logf func(format string, a ...any)
	// OnRTT, if set, receives every round trip measured (ping to pong),
	// from the link's reader: hand it to perf.Monitor.RecordWebSocket.
	OnRTT func(rtt time.Duration)
}

// ProfileClientOptions returns the client's batching and compression from a
// performance profile (its BatchSize, BatchDelay and Compression).
func ProfileClientOptions(p perf.Profile) ClientOptions {
	return ClientOptions{
		Batch:         wire.BatchOptions{Size: p.BatchSize, Delay: p.BatchDelay},
		NoCompression: !p.Compression,
	}
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.Window <= 0 {
		o.Window = 64
	}
	if o.PingInterval <= 0 {
		o.PingInterval = time.Second
	}
	if o.RetryFor <= 0 {
		o.RetryFor = 30 * time.Second
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// JobReport is the bridge's news of a job.
type JobReport struct {
	// Job is the job's number on the bridge.
	Job uint64
	// Place is the job's place in the queue: 0 drawing now, 1 next, …
	Place int
	// State is the robot's state (wire.StateDrawing, …) or, once Finished,
	// how the job ended: "done", "cancelled" or "dropped".
	State string
	// Done and Total count moves; Strokes the pen-down runs completed.
	Done, Total, Strokes int
	// Percent of the job's time drawn, and the estimated time Left.
	Percent float64
	Left    time.Duration
	// Finished marks the last report.
	Finished bool
	// Reconnects counts the times the link was lost and redialled.
	Reconnects int
}

// Client is a connection to a robot bridge that draws jobs of moves, one at
// a time, resuming after a lost connection from the last move the bridge
// acknowledged. Create it with Dial.
type Client struct {
	url string
	o   ClientOptions

	mu       sync.Mutex
	conn     wsConn
	ctrl     [][]byte
	job      *ClientJob
	closed   bool
	pingID   uint64
	pings    map[uint64]time.Time
	rtt      perf.Histogram
	state    wire.Message
	redials  int
	signal   chan struct{}
	done     chan struct{}
	loopDone sync.WaitGroup
}

// Dial connects to the bridge at rawURL (ws://HOST:PORT/robot).
func Dial(ctx context.Context, rawURL string, o ClientOptions) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return nil, fmt.Errorf("robot bridge %q: want ws://HOST:PORT/robot", rawURL)
	}
	o = o.withDefaults()
	w := &Client{url: rawURL, o: o, pings: map[uint64]time.Time{},
		signal: make(chan struct{}, 1), done: make(chan struct{})}
	conn, err := w.dial(ctx)
	if err != nil {
		return nil, err
	}
	w.conn = conn
	w.loopDone.Add(2)
	go w.writeLoop()
	go w.readLoop(conn)
	return w, nil
}

// dial connects to the bridge once; the handshake may take 5 s at most.
func (w *Client) dial(ctx context.Context) (wsConn, error) {
	return dialConn(ctx, w.url, w.o, 5*time.Second)
}

// DialError is a bridge that could not be reached, said in plain words;
// Err is the network's own error.
type DialError struct {
	URL    string
	Reason string
	Err    error
}

func (e *DialError) Error() string { return "robot bridge " + e.URL + ": " + e.Reason }
func (e *DialError) Unwrap() error { return e.Err }

// RTT returns a copy of the histogram of round trips (JSON ping to pong).
func (w *Client) RTT() perf.Histogram {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rtt
}

// State returns the robot's last reported state (wire.StateIdle, …) and the
// number of jobs waiting.
func (w *Client) State() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state.State, w.state.Queue
}

// Close closes the connection. A job still running on the bridge goes on
// there until the bridge's resume window passes.
func (w *Client) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	conn := w.conn
	close(w.done)
	w.mu.Unlock()
	if conn != nil {
		conn.closeNormally()
	}
	w.loopDone.Wait()
	return nil
}

// ClientJob is one job on the bridge: moves added in order, ended once.
type ClientJob struct {
	w        *Client
	key      string
	total    int
	progress func(JobReport)
	addMu    sync.Mutex // keeps moves and the batcher in the same order

	// Guarded by w.mu.
	moves     []wire.Move
	flushed   int // moves handed to messages
	msgs      []jobMsg
	nextSeq   uint64
	acked     int
	endSeq    uint64
	ended     bool
	resync    bool
	n         uint64
	last      JobReport
	finished  bool
	finishing bool // the last report is being delivered
	finishErr error
	err       error
	fin       chan struct{}
	batcher   *wire.Batcher
	lostSince time.Time
}

// jobMsg is a moves or end message of a job: moves[from:to], or the end.
type jobMsg struct {
	seq      uint64
	from, to int
	end      bool
	sent     bool
}

// Start begins a job of total moves (0 if unknown) on the bridge. progress,
// if not nil, is called with every report, in order, from the link's
// reader goroutine. One job at a time per connection.
func (w *Client) Start(total int, progress func(JobReport)) (*ClientJob, error) {
	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	j := &ClientJob{w: w, key: hex.EncodeToString(key[:]), total: total, progress: progress,
		nextSeq: 1, fin: make(chan struct{})}
	j.batcher = wire.NewBatcher(w.o.Batch, j.flush)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, errors.New("robot bridge: link closed")
	}
	if w.job != nil && !w.job.finished {
		return nil, errors.New("robot bridge: a job is already running on this link")
	}
	w.job = j
	w.ctrl = append(w.ctrl, wire.Message{Type: wire.TypeHello, Key: j.key, Total: total}.Encode())
	w.wake()
	return j, nil
}

// Add queues moves; they go out in batches (see ClientOptions.Batch).
func (j *ClientJob) Add(moves ...wire.Move) {
	j.addMu.Lock()
	defer j.addMu.Unlock()
	j.w.mu.Lock()
	j.moves = append(j.moves, moves...)
	j.w.mu.Unlock()
	j.batcher.Add(moves...)
}

// flush runs under the batcher's lock: the batch is the next len(batch)
// moves.
func (j *ClientJob) flush(batch []wire.Move) {
	w := j.w
	w.mu.Lock()
	defer w.mu.Unlock()
	j.msgs = append(j.msgs, jobMsg{seq: j.nextSeq, from: j.flushed, to: j.flushed + len(batch)})
	j.nextSeq++
	j.flushed += len(batch)
	w.wake()
}

// End says no more moves will come: the job finishes when they are drawn.
func (j *ClientJob) End() {
	j.batcher.Stop()
	w := j.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if j.ended {
		return
	}
	j.ended = true
	j.endSeq = j.nextSeq
	j.msgs = append(j.msgs, jobMsg{seq: j.nextSeq, end: true})
	j.nextSeq++
	w.wake()
}

// Cancel asks the bridge to stop the job; the robot lifts its pen.
func (j *ClientJob) Cancel() {
	j.batcher.Stop()
	w := j.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if !j.finished {
		w.ctrl = append(w.ctrl, wire.Message{Type: wire.TypeCancel}.Encode())
		w.wake()
	}
}

// Pause asks the bridge to pause the job after the current move, with the
// pen lifted; Resume continues it.
func (j *ClientJob) Pause() { j.control(wire.TypePause) }

// Resume continues a paused job.
func (j *ClientJob) Resume() { j.control(wire.TypeResume) }

func (j *ClientJob) control(typ string) {
	w := j.w
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ctrl = append(w.ctrl, wire.Message{Type: typ}.Encode())
	w.wake()
}

// Wait waits until the job is finished. It returns nil when the bridge drew
// it to the end, an error when it was cancelled or dropped or the bridge
// was lost for longer than RetryFor. If ctx is done first, the job is
// cancelled on the bridge and Wait returns ctx's error.
func (j *ClientJob) Wait(ctx context.Context) error {
	select {
	case <-j.fin:
		return j.err
	case <-ctx.Done():
		j.Cancel()
		select {
		case <-j.fin:
		case <-time.After(2 * time.Second):
		}
		return ctx.Err()
	}
}

// Progress returns the job's last report.
func (j *ClientJob) Progress() JobReport {
	j.w.mu.Lock()
	defer j.w.mu.Unlock()
	return j.last
}

// Plot draws moves as one job: Start, Add, End, Wait.
func (w *Client) Plot(ctx context.Context, moves []wire.Move, progress func(JobReport)) error {
	j, err := w.Start(len(moves), progress)
	if err != nil {
		return err
	}
	j.Add(moves...)
	j.End()
	return j.Wait(ctx)
}

func (w *Client) wake() {
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// finishLocked ends the job with err (nil: drawn to the end).
func (j *ClientJob) finishLocked(err error) {
	if j.finished {
		return
	}
	j.finished, j.err = true, err
	close(j.fin)
}

func (w *Client) writeLoop() {
	defer w.loopDone.Done()
	ping := time.NewTicker(w.o.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-w.signal:
		case <-ping.C:
			w.mu.Lock()
			if w.conn != nil {
				w.pingID++
				w.pings[w.pingID] = time.Now()
				if len(w.pings) > 100 { // pongs that never came
					clear(w.pings)
				}
				w.ctrl = append(w.ctrl, wire.Message{Type: wire.TypePing, ID: w.pingID}.Encode())
			}
			w.mu.Unlock()
		}
		w.mu.Lock()
		conn := w.conn
		if conn == nil {
			w.mu.Unlock()
			continue
		}
		out := w.ctrl
		w.ctrl = nil
		if j := w.job; j != nil && !j.finished && !j.resync {
			inflight := 0
			for i := range j.msgs {
				m := &j.msgs[i]
				if m.sent {
					inflight++
					continue
				}
				if inflight >= w.o.Window {
					break
				}
				m.sent = true
				inflight++
				if m.end {
					out = append(out, wire.Message{Type: wire.TypeEnd, Seq: m.seq}.Encode())
				} else {
					out = append(out, wire.Message{Type: wire.TypeMoves, Seq: m.seq, Moves: j.moves[m.from:m.to]}.Encode())
				}
			}
		}
		w.mu.Unlock()
		for _, data := range out {
			if err := conn.writeText(data, 5*time.Second); err != nil {
				conn.close() // the reader notices and redials
				break
			}
		}
	}
}

func (w *Client) readLoop(conn wsConn) {
	defer w.loopDone.Done()
	for {
		lost := w.readConn(conn)
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return
		}
		w.conn = nil
		j := w.job
		active := j != nil && !j.finished
		if active && j.lostSince.IsZero() {
			j.lostSince = time.Now()
		}
		if !active {
			// Nothing to resume: stay disconnected; Start fails from now on.
			w.shutLocked()
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		w.o.Logf("robot bridge %s: connection lost (%v); reconnecting", w.url, lost)
		conn = w.redial(j)
		if conn == nil {
			return
		}
	}
}

// shutLocked marks the link closed and stops the loops, unless Close did
// already.
func (w *Client) shutLocked() {
	if !w.closed {
		w.closed = true
		close(w.done)
	}
}

// redial tries to reconnect until the job's RetryFor has passed; it then
// resumes the job with a hello. It returns nil when it gave up or the link
// was closed.
func (w *Client) redial(j *ClientJob) wsConn {
	wait := 100 * time.Millisecond
	for {
		w.mu.Lock()
		since := j.lostSince
		w.mu.Unlock()
		if time.Since(since) > w.o.RetryFor {
			w.mu.Lock()
			j.finishLocked(fmt.Errorf("robot bridge %s: lost for more than %v", w.url, w.o.RetryFor))
			w.shutLocked() // Close may have come during the last dial
			w.mu.Unlock()
			return nil
		}
		select {
		case <-w.done:
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := w.dial(ctx)
		cancel()
		if err != nil {
			continue
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			conn.close()
			return nil
		}
		w.conn = conn
		w.redials++
		j.resync = true
		j.lostSince = time.Time{}
		w.ctrl = append(w.ctrl[:0], wire.Message{Type: wire.TypeHello, Key: j.key, Total: j.total}.Encode())
		w.wake()
		w.mu.Unlock()
		w.o.Logf("robot bridge %s: reconnected; resuming job %d", w.url, j.n)
		return conn
	}
}

// readConn reads one connection's messages until it fails: a bridge
// silent for three ping intervals is taken as lost.
func (w *Client) readConn(conn wsConn) error {
	for {
		data, err := conn.read(3 * w.o.PingInterval)
		if err != nil {
			conn.close()
			return err
		}
		m, err := wire.Decode(data)
		if err != nil {
			continue // a newer bridge's message; nothing we need
		}
		w.handle(&m)
	}
}

// handle applies one message from the bridge; the progress callback runs
// after the lock is released.
func (w *Client) handle(m *wire.Message) {
	var report func()
	w.mu.Lock()
	w.handleLocked(m, &report)
	j := w.job
	w.mu.Unlock()
	if report != nil {
		report()
	}
	if j != nil {
		// A finished job's waiter wakes after its last report.
		w.mu.Lock()
		if j.finishing && !j.finished {
			j.finishLocked(j.finishErr)
		}
		w.mu.Unlock()
	}
}

func (w *Client) handleLocked(m *wire.Message, report *func()) {
	j := w.job
	switch m.Type {
	case wire.TypePong:
		if t, ok := w.pings[m.ID]; ok {
			d := time.Since(t)
			w.rtt.Record(d)
			delete(w.pings, m.ID)
			if w.o.OnRTT != nil {
				onRTT := w.o.OnRTT
				prev := *report
				*report = func() {
					if prev != nil {
						prev()
					}
					onRTT(d)
				}
			}
		}
	case wire.TypeState:
		w.state = *m
	case wire.TypeWelcome:
		if j == nil || j.finished {
			return
		}
		if j.n != 0 && m.Job != j.n {
			// The bridge forgot our job (we were away too long): resending
			// from the start would draw it twice.
			w.ctrl = append(w.ctrl, wire.Message{Type: wire.TypeCancel}.Encode())
			w.wake()
			j.finishLocked(fmt.Errorf("robot bridge %s: job %d was dropped while the link was down", w.url, j.n))
			return
		}
		j.n = m.Job
		if j.resync {
			j.resyncLocked(m.Received, m.Seq, w.o.Batch)
		}
		j.last.Job, j.last.Place, j.last.Done, j.last.Reconnects = m.Job, m.Place, m.Done, w.redials
		*report = j.reporter()
		w.wake()
	case wire.TypeAck:
		if j == nil {
			return
		}
		k := 0
		for k < len(j.msgs) && j.msgs[k].seq <= m.Seq {
			if !j.msgs[k].end {
				j.acked = j.msgs[k].to
			}
			k++
		}
		j.msgs = j.msgs[k:]
		w.wake()
	case wire.TypeQueue:
		if j != nil && m.Job == j.n {
			j.last.Place = m.Place
			*report = j.reporter()
		}
	case wire.TypeProgress:
		if j == nil || m.Job != j.n || j.n == 0 {
			return
		}
		j.last = JobReport{Job: m.Job, Place: j.last.Place, State: m.State, Done: m.Done, Total: m.Total,
			Strokes: m.Strokes, Percent: m.Percent, Left: time.Duration(m.LeftMS * float64(time.Millisecond)),
			Finished: m.Finished, Reconnects: w.redials}
		if m.Finished {
			j.last.Place = 0
		}
		*report = j.reporter()
		if m.Finished {
			j.finishing = true
			if m.State != "done" {
				j.finishErr = fmt.Errorf("robot bridge %s: job %d %s", w.url, j.n, m.State)
			}
		}
	case wire.TypeError:
		if j == nil || j.finished {
			return
		}
		// An error about one of our messages (over the rate, out of order):
		// resynchronise from what the bridge has.
		if m.Seq != 0 && !j.resync {
			for _, jm := range j.msgs {
				if jm.seq == m.Seq {
					j.resync = true
					w.ctrl = append(w.ctrl, wire.Message{Type: wire.TypeHello, Key: j.key, Total: j.total}.Encode())
					w.wake()
					break
				}
			}
		}
		w.o.Logf("robot bridge %s: %s", w.url, m.Message)
	}
}

// resyncLocked renumbers what the bridge has not applied: moves from
// received on, re-batched, then the end if it was sent, from seq+1.
func (j *ClientJob) resyncLocked(received int, seq uint64, b wire.BatchOptions) {
	j.resync = false
	if received > j.flushed || received < 0 {
		received = j.flushed
	}
	size := b.Size
	if size <= 0 {
		size = wire.DefaultBatchSize
	}
	j.acked = received
	ended := j.endSeq != 0
	serverEnded := ended && seq >= j.endSeq && received == j.flushed
	j.msgs = j.msgs[:0]
	next := seq + 1
	for from := received; from < j.flushed; from += size {
		j.msgs = append(j.msgs, jobMsg{seq: next, from: from, to: min(from+size, j.flushed)})
		next++
	}
	if ended && !serverEnded {
		j.endSeq = next
		j.msgs = append(j.msgs, jobMsg{seq: next, end: true})
		next++
	}
	j.nextSeq = next
}

// reporter returns the call that reports j's last progress, or nil.
func (j *ClientJob) reporter() func() {
	if j.progress == nil || j.finished {
		return nil
	}
	p := j.last
	return func() { j.progress(p) }
}
