package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
	"mbotdraw/perf"
)

// LoadOptions configure LoadTest. The zero value is the test: 100
// clients each sending 60 messages a second for 30 s, 16 moves per message
// with batching on, in the three modes of DefaultLoadModes.
type LoadOptions struct {
	// Clients is the number of WebSocket clients (0: 100).
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

// LoadResult is one mode's figures.
type LoadResult struct {
	Mode    LoadMode `json:"mode"`
	Clients int      `json:"clients"`
	Seconds float64  `json:"seconds"`
	// Sent messages (moves messages) and moves; Acked messages.
	Sent  uint64 `json:"sent"`
	Moves uint64 `json:"moves"`
	Acked uint64 `json:"acked"`
	// Lost: sent and never acked. Duplicated: acked twice. Reordered: acked
	// after a later one. ServerMismatch: clients whose job on the bridge did
	// not hold exactly the moves they sent, in order.
	Lost           uint64 `json:"lost"`
	Duplicated     uint64 `json:"duplicated"`
	Reordered      uint64 `json:"reordered"`
	ServerMismatch int    `json:"server_mismatch"`
	// Errors counts error messages the clients received.
	Errors uint64 `json:"errors"`
	// MsgRate and MoveRate are per second over all clients.
	MsgRate  float64 `json:"msgs_per_s"`
	MoveRate float64 `json:"moves_per_s"`
	// RTT is from writing a moves message to reading its ack; Ping from a
	// JSON ping to its pong; ServerPing is the bridge's own WebSocket ping
	// round trip. Milliseconds.
	RTT        perf.Summary `json:"rtt_ms"`
	Ping       perf.Summary `json:"ping_ms"`
	ServerPing perf.Summary `json:"server_ping_ms"`
	// BytesOut and BytesIn are the clients' TCP bytes per second, all
	// clients together (after compression).
	BytesOut float64 `json:"bytes_out_per_s"`
	BytesIn  float64 `json:"bytes_in_per_s"`
	// Pass: RTT p99 ≤ 5 ms and nothing lost, duplicated or reordered.
	Pass bool `json:"pass"`
}

// LoadBudget is the round-trip p99 the load test must keep.
const LoadBudget = 5 * time.Millisecond

// LoadTest runs a bridge on loopback (a robot that draws instantly, so the
// figures measure the WebSocket path) and loads it with real clients, once
// per mode. It stops by itself after each mode's Duration, or when ctx ends.
func LoadTest(ctx context.Context, o LoadOptions) ([]LoadResult, error) {
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
	var out []LoadResult
	for _, m := range o.Modes {
		r, err := loadRun(ctx, o, m)
		if err != nil {
			return out, fmt.Errorf("load test %s: %w", m.Name, err)
		}
		out = append(out, r)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// nullRobot draws instantly and forgets.
type nullRobot struct{}

func (nullRobot) Run(_ context.Context, moves []wire.Move, report func(RobotEvent)) error {
	report(RobotEvent{Done: len(moves)})
	return nil
}

func (nullRobot) Stop(context.Context) error { return nil }

func loadRun(ctx context.Context, o LoadOptions, mode LoadMode) (LoadResult, error) {
	perTick := 1
	if mode.Batching {
		perTick = o.BatchSize
	}
	expect := int(float64(o.Clients)*o.Rate*o.Duration.Seconds()*1.2+1000) * perTick
	s := New(nullRobot{}, Options{Compression: Compression{Off: !mode.Compression},
		MaxQueuedMoves: expect, MaxJobMoves: expect, MaxJobs: o.Clients + 10})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return LoadResult{}, err
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(sctx, ln) }()
	defer func() { stop(); <-served }()
	url := "ws://" + ln.Addr().String() + "/robot"

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
	start := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
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
	// Wait for the last acks, then check each job on the bridge.
	res := LoadResult{Mode: mode, Clients: o.Clients, Seconds: elapsed.Seconds()}
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
	if dups := s.Duplicates(); dups > 0 {
		res.Duplicated += dups
	}
	srvRTT := s.RTT()
	res.RTT, res.Ping, res.ServerPing = rtt.Summary(), ping.Summary(), srvRTT.Summary()
	res.MsgRate = float64(res.Sent) / elapsed.Seconds()
	res.MoveRate = float64(res.Moves) / elapsed.Seconds()
	res.BytesOut = float64(out) / elapsed.Seconds()
	res.BytesIn = float64(in) / elapsed.Seconds()
	res.Pass = rtt.Quantile(0.99) <= LoadBudget && res.Lost == 0 && res.Duplicated == 0 &&
		res.Reordered == 0 && res.ServerMismatch == 0 && res.Sent > 0
	return res, nil
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
	readDone       chan struct{}
}

func newLoadClient(ctx context.Context, d websocket.Dialer, url string, i int, mode LoadMode, o LoadOptions) (*loadClient, error) {
	conn, _, err := d.DialContext(ctx, url, nil)
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
		}
	}
}
