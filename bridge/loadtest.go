package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
	"mbotdraw/perf"
)

// LoadOptions configure LoadTest. The zero value is the test: 100
// clients each sending 60 messages a second for 30 s, 16 moves per message
// with batching on, in the three modes of DefaultLoadModes, against a bridge
// started on loopback.
type LoadOptions struct {
	// Clients is the number of well-behaved WebSocket clients (0: 100).
	Clients int
	// Rate is the messages each client sends per second (0: 60).
	Rate float64
	// Duration of each mode's run (0: 30 s).
	Duration time.Duration
	// BatchSize is the moves per message with batching on (0: 16): every
	// tick a client makes that many moves and the batcher sends them as one
	// message. With batching off, a tick makes one move, sent alone.
	BatchSize int
	// Modes to run, in order (nil: DefaultLoadModes).
	Modes []LoadMode
	// URL, if set, is the server to load (ws://HOST:PORT/robot, with
	// ?token=T if it needs one) instead of a bridge started here; any server
	// that speaks the robot endpoint's protocol will do.
	URL string
	// Baseline also runs, during each mode's run, the same load with its
	// own clients against a minimal WebSocket server (BaselineHandler)
	// started here, so that one run compares the two on the same machine
	// at the same moment.
	Baseline bool
	// Hostile is the number of hostile clients run alongside the others
	// (0: none): see LoadHostile for what they do. Their figures are in
	// LoadResult.Hostile.
	Hostile int
	// HostileProcess, if set, returns the command that runs the hostile
	// clients in a process of their own, as an attacker's would be (another
	// program, or another computer), instead of in this one: then they share
	// the machine's processors with the server through the operating
	// system, but not its Go scheduler and garbage collector. The command
	// must attack url with n clients for d (RunHostile) and write their
	// HostileResult as JSON on its standard output; ctx ends with the load
	// test.
	HostileProcess func(ctx context.Context, url string, n int, d time.Duration) *exec.Cmd
}

// LoadMode is one configuration of the load test.
type LoadMode struct {
	Name        string `json:"name"`
	Batching    bool   `json:"batching"`
	Compression bool   `json:"compression"`
}

// DefaultLoadModes are the three runs: batching and compression on,
// batching off, compression off.
func DefaultLoadModes() []LoadMode {
	return []LoadMode{
		{Name: "batched+deflate", Batching: true, Compression: true},
		{Name: "unbatched", Batching: false, Compression: true},
		{Name: "uncompressed", Batching: true, Compression: false},
	}
}

// LoadReport is a whole load test: for each mode, the server's figures and,
// with LoadOptions.Baseline, the baseline server's and their ratios.
type LoadReport struct {
	Modes []ModeReport `json:"modes"`
}

// ModeReport is one mode's figures.
type ModeReport struct {
	Mode     string      `json:"mode"`
	Bridge   LoadResult  `json:"bridge"`
	Baseline *LoadResult `json:"baseline,omitempty"`
	// Ratio is the bridge's round trip over the baseline's, p50 and p99
	// (with a baseline).
	Ratio *LoadRatio `json:"ratio,omitempty"`
}

// LoadRatio compares two round-trip summaries.
type LoadRatio struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
}

// LoadResult is one server's figures in one mode.
type LoadResult struct {
	Mode    LoadMode `json:"-"`
	Server  string   `json:"server"`
	Clients int      `json:"clients"`
	Seconds float64  `json:"seconds"`
	// Sent messages (moves messages) and moves; Acked messages.
	Sent  uint64 `json:"sent"`
	Moves uint64 `json:"moves"`
	Acked uint64 `json:"acked"`
	// Lost: sent and never acked. Duplicated: acked twice. Reordered: acked
	// after a later one. ServerMismatch: clients whose job on the server did
	// not hold exactly the moves they sent, in order.
	Lost           uint64 `json:"lost"`
	Duplicated     uint64 `json:"duplicated"`
	Reordered      uint64 `json:"reordered"`
	ServerMismatch int    `json:"server_mismatch"`
	// Errors counts error messages the clients received.
	Errors uint64 `json:"errors"`
	// StatePerClient is the state and progress messages each client
	// received per second, on average.
	StatePerClient float64 `json:"state_per_client_s"`
	// MsgRate and MoveRate are per second over all clients.
	MsgRate  float64 `json:"msgs_per_s"`
	MoveRate float64 `json:"moves_per_s"`
	// RTT is from writing a moves message to reading its ack; Ping from a
	// JSON ping to its pong; ServerPing is the bridge's own WebSocket ping
	// round trip (a bridge started here only). Milliseconds.
	RTT        perf.Summary `json:"rtt_ms"`
	Ping       perf.Summary `json:"ping_ms"`
	ServerPing perf.Summary `json:"server_ping_ms"`
	// BytesOut and BytesIn are the clients' TCP bytes per second, all
	// clients together (after compression).
	BytesOut float64 `json:"bytes_out_per_s"`
	BytesIn  float64 `json:"bytes_in_per_s"`
	// PeakRSSMB is the load test process's peak resident memory during the
	// run (Linux): the server started here and every client in this
	// process together (the well-behaved ones, the baseline's with
	// Baseline, the hostile ones unless HostileProcess), so an upper bound
	// on the server's own. 0 when unknown.
	PeakRSSMB float64 `json:"process_peak_rss_mb"`
	// Hostile are the hostile clients' figures (LoadOptions.Hostile).
	Hostile *HostileResult `json:"hostile,omitempty"`
	// ServerStats are the bridge's own counts at the end of the run (a
	// bridge started here only): whom it refused and closed, and why.
	ServerStats *Stats `json:"server_stats,omitempty"`
	// Pass: RTT p99 ≤ 5 ms and nothing lost, duplicated or reordered.
	Pass bool `json:"pass"`
}

// LoadBudget is the round-trip p99 the load test must keep.
const LoadBudget = 5 * time.Millisecond

// LoadTest loads a server with real clients on loopback, once per mode: a
// bridge started here (a robot that draws instantly, so the figures measure
// the WebSocket path) or o.URL, and with o.Baseline the baseline server
// too. It stops by itself after each run's Duration, or when ctx ends.
func LoadTest(ctx context.Context, o LoadOptions) (LoadReport, error) {
	if o.Clients <= 0 {
		o.Clients = 100
	}
	if o.Rate <= 0 {
		o.Rate = 60
	}
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = wire.DefaultBatchSize
	}
	if o.Modes == nil {
		o.Modes = DefaultLoadModes()
	}
	var rep LoadReport
	for _, m := range o.Modes {
		mr := ModeReport{Mode: m.Name}
		// The baseline runs at the same time, with its own clients, so that
		// both see the same machine: on a shared one, load comes and goes.
		var b LoadResult
		var berr error
		var wg sync.WaitGroup
		if o.Baseline {
			wg.Add(1)
			go func() { defer wg.Done(); b, berr = loadBaseline(ctx, o, m) }()
		}
		var err error
		if o.URL != "" {
			mr.Bridge, err = loadRun(ctx, o, m, "url", nil)
		} else {
			mr.Bridge, err = loadBridge(ctx, o, m)
		}
		wg.Wait()
		if err == nil {
			err = berr
		}
		if err == nil && o.Baseline {
			mr.Baseline = &b
			if b.RTT.P50 > 0 && b.RTT.P99 > 0 {
				mr.Ratio = &LoadRatio{P50: mr.Bridge.RTT.P50 / b.RTT.P50, P99: mr.Bridge.RTT.P99 / b.RTT.P99}
			}
		}
		if err != nil {
			return rep, fmt.Errorf("load test %s: %w", m.Name, err)
		}
		rep.Modes = append(rep.Modes, mr)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	return rep, nil
}

// nullRobot draws instantly and forgets.
type nullRobot struct{}

func (nullRobot) Run(_ context.Context, moves []wire.Move, report func(RobotEvent)) error {
	report(RobotEvent{Done: len(moves)})
	return nil
}

func (nullRobot) Stop(context.Context) error { return nil }

// serveLoopback serves h on a loopback port until the returned stop is
// called; url is its ws:// address with path.
func serveLoopback(h http.Handler, serve func(context.Context, net.Listener) error, path string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	if serve == nil {
		serve = func(ctx context.Context, ln net.Listener) error {
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			go func() { <-ctx.Done(); srv.Close() }()
			return srv.Serve(ln)
		}
	}
	go func() { served <- serve(ctx, ln) }()
	return "ws://" + ln.Addr().String() + path, func() { cancel(); <-served }, nil
}

// loadBridge runs one mode against a bridge started here.
func loadBridge(ctx context.Context, o LoadOptions, mode LoadMode) (LoadResult, error) {
	perTick := 1
	if mode.Batching {
		perTick = o.BatchSize
	}
	expect := int(float64(o.Clients)*o.Rate*o.Duration.Seconds()*1.2+1000) * perTick
	n := o.Clients + o.Hostile + 10
	// The defaults, with room for every well-behaved client on the one
	// loopback address.
	s := New(nullRobot{}, Options{Compression: Compression{Off: !mode.Compression},
		MaxQueuedMoves: expect, MaxJobMoves: expect, MaxJobs: n, MaxJobsPerAddr: o.Clients + 10,
		Limits: Limits{MaxClientsPerAddr: o.Clients + 10}})
	url, stop, err := serveLoopback(nil, s.Serve, "/robot")
	if err != nil {
		return LoadResult{}, err
	}
	defer stop()
	o.URL = url
	return loadRun(ctx, o, mode, "bridge", s)
}

// loadBaseline runs one mode against the baseline server.
func loadBaseline(ctx context.Context, o LoadOptions, mode LoadMode) (LoadResult, error) {
	url, stop, err := serveLoopback(BaselineHandler(mode.Compression), nil, "/robot")
	if err != nil {
		return LoadResult{}, err
	}
	defer stop()
	o.URL, o.Hostile = url, 0
	return loadRun(ctx, o, mode, "baseline", nil)
}

// loadRun loads the server at o.URL, or s's, with o.Clients clients for
// o.Duration and checks every message.
func loadRun(ctx context.Context, o LoadOptions, mode LoadMode, name string, s *Server) (LoadResult, error) {
	perTick := 1
	if mode.Batching {
		perTick = o.BatchSize
	}
	url := o.URL
	var bytesOut, bytesIn atomic.Uint64
	d := websocket.Dialer{EnableCompression: mode.Compression, HandshakeTimeout: 10 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: c, out: &bytesOut, in: &bytesIn}, nil
		}}
	clients := make([]*loadClient, o.Clients)
	for i := range clients {
		c, err := newLoadClient(ctx, d, url, i, mode, o)
		if err != nil {
			for _, c := range clients[:i] {
				c.conn.Close()
			}
			return LoadResult{}, err
		}
		clients[i] = c
	}
	// Let the welcomes and the first states settle, then measure.
	time.Sleep(200 * time.Millisecond)
	bytesOut.Store(0)
	bytesIn.Store(0)
	for _, c := range clients {
		c.stateMsgs.Store(0)
	}
	rss := startRSSWatch()
	start := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	var hostile func() (*HostileResult, error)
	switch {
	case o.Hostile > 0 && o.HostileProcess != nil:
		var err error
		if hostile, err = startHostileProcess(o.HostileProcess(ctx, url, o.Hostile, o.Duration)); err != nil {
			cancel()
			rss()
			for _, c := range clients {
				c.conn.Close()
			}
			return LoadResult{}, err
		}
	case o.Hostile > 0:
		h := startHostile(runCtx, url, o.Hostile)
		hostile = func() (*HostileResult, error) { return h.wait(), nil }
	}
	var wg sync.WaitGroup
	period := time.Duration(float64(time.Second) / o.Rate)
	for i, c := range clients {
		wg.Add(1)
		offset := period * time.Duration(i) / time.Duration(len(clients))
		go func() { defer wg.Done(); c.drive(runCtx, offset, period, perTick) }()
	}
	wg.Wait()
	cancel()
	elapsed := time.Since(start)
	out, in := bytesOut.Load(), bytesIn.Load()
	res := LoadResult{Mode: mode, Server: name, Clients: o.Clients, Seconds: elapsed.Seconds()}
	var hostileErr error
	if hostile != nil {
		res.Hostile, hostileErr = hostile()
	}
	var stateMsgs uint64
	for _, c := range clients {
		stateMsgs += c.stateMsgs.Load()
	}
	// Wait for the last acks, then check each job on the server.
	var rtt, ping perf.Histogram
	for _, c := range clients {
		c.finish()
		res.Sent += c.sent
		res.Moves += c.moves
		res.Errors += c.errors.Load()
		c.mu.Lock()
		for seq := uint64(1); seq <= c.sent; seq++ {
			if !c.acked[seq] {
				res.Lost++
			}
		}
		res.Acked += c.ackCount
		res.Duplicated += c.dups
		res.Reordered += c.reordered
		if c.serverReceived != int(c.moves) {
			res.ServerMismatch++
		}
		rtt.Merge(&c.rtt)
		ping.Merge(&c.ping)
		c.mu.Unlock()
		c.conn.Close()
	}
	res.PeakRSSMB = rss()
	if s != nil {
		res.Duplicated += s.Duplicates()
		srvRTT := s.RTT()
		res.ServerPing = srvRTT.Summary()
		st := s.Stats()
		res.ServerStats = &st
	}
	res.RTT, res.Ping = rtt.Summary(), ping.Summary()
	res.StatePerClient = float64(stateMsgs) / float64(o.Clients) / elapsed.Seconds()
	res.MsgRate = float64(res.Sent) / elapsed.Seconds()
	res.MoveRate = float64(res.Moves) / elapsed.Seconds()
	res.BytesOut = float64(out) / elapsed.Seconds()
	res.BytesIn = float64(in) / elapsed.Seconds()
	res.Pass = rtt.Quantile(0.99) <= LoadBudget && res.Lost == 0 && res.Duplicated == 0 &&
		res.Reordered == 0 && res.ServerMismatch == 0 && res.Sent > 0
	return res, hostileErr
}

type countingConn struct {
	net.Conn
	out, in *atomic.Uint64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(uint64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(uint64(n))
	return n, err
}

// loadClient is one load-test client: a job of moves sent at a steady rate,
// every ack checked against its sequence number.
type loadClient struct {
	conn    *websocket.Conn
	key     string
	writeMu sync.Mutex
	batcher *wire.Batcher
	out     []byte // the message being sent
	n       int

	mu             sync.Mutex
	seq            uint64
	sent, moves    uint64
	sentAt         []time.Time // by seq
	acked          []bool      // by seq
	ackCount       uint64
	maxAck         uint64
	dups           uint64
	reordered      uint64
	rtt, ping      perf.Histogram
	pingAt         map[uint64]time.Time
	serverReceived int
	endSeq         uint64
	welcome        chan wire.Message
	writeErr       error
	errors         atomic.Uint64
	stateMsgs      atomic.Uint64 // state and progress messages received
	readDone       chan struct{}
}

func newLoadClient(ctx context.Context, d websocket.Dialer, url string, i int, mode LoadMode, o LoadOptions) (*loadClient, error) {
	// A server may take only so many new connections a second from one
	// address: try again for a while, like a patient client.
	var conn *websocket.Conn
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; {
		if conn, _, err = d.DialContext(ctx, url, nil); err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	var key [16]byte
	_, _ = rand.Read(key[:])
	n := int(o.Rate*o.Duration.Seconds()*1.2) + 16
	c := &loadClient{conn: conn, key: hex.EncodeToString(key[:]), n: i,
		sentAt: make([]time.Time, 1, n), acked: make([]bool, 1, n), pingAt: map[uint64]time.Time{},
		welcome: make(chan wire.Message, 4), readDone: make(chan struct{})}
	bo := wire.BatchOptions{Size: o.BatchSize}
	if !mode.Batching {
		bo = wire.BatchOptions{Size: 1}
	}
	c.batcher = wire.NewBatcher(bo, c.flush)
	go c.read()
	if err := c.write(wire.Message{Type: wire.TypeHello, Key: c.key}.Encode()); err != nil {
		conn.Close()
		return nil, err
	}
	select {
	case <-c.welcome:
	case <-time.After(10 * time.Second):
		conn.Close()
		return nil, errors.New("no welcome from the bridge")
	}
	return c, nil
}

func (c *loadClient) write(data []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.conn.WriteMessage(websocket.TextMessage, data)
}

// flush sends one batch as a moves message (called by the batcher, in order).
func (c *loadClient) flush(moves []wire.Move) {
	c.mu.Lock()
	c.seq++
	seq := c.seq
	c.sent++
	c.moves += uint64(len(moves))
	c.sentAt = append(c.sentAt, time.Time{})
	c.acked = append(c.acked, false)
	c.mu.Unlock()
	m := wire.Message{Type: wire.TypeMoves, Seq: seq, Moves: moves}
	c.out = m.AppendJSON(c.out[:0]) // flushes come one at a time
	now := time.Now()
	c.mu.Lock()
	c.sentAt[seq] = now
	c.mu.Unlock()
	if err := c.write(c.out); err != nil {
		c.mu.Lock()
		c.writeErr = err
		c.mu.Unlock()
	}
}

// drive makes perTick moves every period, from offset on, until ctx ends,
// and pings every second.
func (c *loadClient) drive(ctx context.Context, offset, period time.Duration, perTick int) {
	select {
	case <-time.After(offset):
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	ping := time.NewTicker(time.Second)
	defer ping.Stop()
	moves := make([]wire.Move, perTick)
	var id uint64
	for i := 0; ; i++ {
		for k := range moves {
			// A pen stroke's worth of turns and drives, like a real plot.
			if (i+k)%2 == 0 {
				moves[k] = wire.Move{Kind: wire.Turn, Value: float32((i*7+k*13)%3600)/10 - 180}
			} else {
				moves[k] = wire.Move{Kind: wire.Drive, Value: float32((i*11+k*17)%2000) / 100}
			}
		}
		c.batcher.Add(moves...)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-ping.C:
			id++
			c.mu.Lock()
			c.pingAt[id] = time.Now()
			c.mu.Unlock()
			_ = c.write(wire.Message{Type: wire.TypePing, ID: id}.Encode())
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}
}

// finish sends what is pending, waits for every ack (at most 10 s), ends the
// job and asks the bridge how many moves it holds.
func (c *loadClient) finish() {
	c.batcher.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		done := c.ackCount >= c.sent
		c.mu.Unlock()
		if done {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.mu.Lock()
	end := c.seq + 1
	c.endSeq = end
	c.mu.Unlock()
	// Ask first (the job leaves the queue once ended and drawn), then end.
	_ = c.write(wire.Message{Type: wire.TypeHello, Key: c.key}.Encode())
	select {
	case w := <-c.welcome:
		c.mu.Lock()
		c.serverReceived = w.Received
		c.mu.Unlock()
	case <-time.After(10 * time.Second):
		c.mu.Lock()
		c.serverReceived = -1
		c.mu.Unlock()
	}
	_ = c.write(wire.Message{Type: wire.TypeEnd, Seq: end}.Encode())
}

func (c *loadClient) read() {
	defer close(c.readDone)
	var buf bytes.Buffer
	var m wire.Message
	for {
		_, r, err := c.conn.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		now := time.Now()
		if err := wire.DecodeInto(&m, buf.Bytes()); err != nil {
			c.errors.Add(1)
			continue
		}
		switch m.Type {
		case wire.TypeAck:
			c.mu.Lock()
			if m.Seq == c.endSeq && c.endSeq != 0 {
				// The end's ack.
			} else if m.Seq >= uint64(len(c.acked)) {
				c.reordered++ // an ack for a message never sent
			} else if c.acked[m.Seq] {
				c.dups++
			} else {
				c.acked[m.Seq] = true
				c.ackCount++
				if m.Seq < c.maxAck {
					c.reordered++
				}
				c.maxAck = max(c.maxAck, m.Seq)
				c.rtt.Record(now.Sub(c.sentAt[m.Seq]))
			}
			c.mu.Unlock()
		case wire.TypePong:
			c.mu.Lock()
			if t, ok := c.pingAt[m.ID]; ok {
				c.ping.Record(now.Sub(t))
				delete(c.pingAt, m.ID)
			}
			c.mu.Unlock()
		case wire.TypeWelcome:
			select {
			case c.welcome <- m:
			default:
			}
		case wire.TypeError:
			c.errors.Add(1)
		case wire.TypeState, wire.TypeProgress:
			c.stateMsgs.Add(1)
		}
	}
}
