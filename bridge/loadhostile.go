package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// HostileResult counts what the load test's hostile clients did and how the
// server answered them. Hostile clients come from 127.0.0.2 when the server
// is on 127.0.0.1 (another address on the same computer), so that limits
// per address tell them from the well-behaved ones.
//
// They take turns at four attacks (issue 15): Silent clients send 1 MB
// messages that each earn an error and never read; Heavy clients each send
// one valid 1 MB message (a few KB compressed) and stay connected, as many
// connections as the server takes; Vanishing clients connect, start a job
// with one move and leave, over and over; Flooding clients send a stream of
// pings and unsolicited pongs and leave a message unfinished.
type HostileResult struct {
	Clients int `json:"clients"`
	// SeparateProcess is set when they ran in a process of their own
	// (LoadOptions.HostileProcess), whose peak resident memory is
	// PeakRSSMB (Linux; 0 when unknown).
	SeparateProcess bool    `json:"separate_process"`
	PeakRSSMB       float64 `json:"process_peak_rss_mb,omitempty"`
	// Connections is the connections the server accepted; Refused those it
	// refused before the upgrade (or that failed to connect); Closed those
	// it closed.
	Connections uint64 `json:"connections"`
	Refused     uint64 `json:"refused"`
	Closed      uint64 `json:"closed"`
	// Jobs is the jobs the vanishing clients started.
	Jobs uint64 `json:"jobs"`
	// MB is what they sent, before compression.
	MB float64 `json:"mb_sent"`
}

type hostileRun struct {
	res                                   HostileResult
	conns, refused, closed, jobs, written atomic.Uint64
	wg                                    sync.WaitGroup
}

// RunHostile runs n hostile clients (see HostileResult) against the server
// at u until ctx ends, and returns their figures: the load test's hostile
// clients, for a process of their own (LoadOptions.HostileProcess).
func RunHostile(ctx context.Context, u string, n int) HostileResult {
	rss := startRSSWatch()
	r := startHostile(ctx, u, n).wait()
	r.PeakRSSMB = rss()
	return *r
}

// startHostileProcess starts cmd, which runs RunHostile and writes its
// result as JSON on its standard output (loadtest --attack).
func startHostileProcess(cmd *exec.Cmd) (wait func() (*HostileResult, error), err error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the hostile clients' process: %w", err)
	}
	return func() (*HostileResult, error) {
		if err := cmd.Wait(); err != nil {
			return nil, fmt.Errorf("the hostile clients' process: %w: %s", err, bytes.TrimSpace(errb.Bytes()))
		}
		var r HostileResult
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("the hostile clients' process wrote no figures (%w): %.200q", err, out.Bytes())
		}
		r.SeparateProcess = true
		return &r, nil
	}, nil
}

// startHostile starts n hostile clients against u until ctx ends. They
// offer compression, which makes their large messages small on the wire;
// a server that does not compress declines it.
func startHostile(ctx context.Context, u string, n int) *hostileRun {
	h := &hostileRun{res: HostileResult{Clients: n}}
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: 5 * time.Second}
	if pu, err := url.Parse(u); err == nil && pu.Hostname() == "127.0.0.1" {
		nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil { // no such address here: from 127.0.0.1 then
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			return c, nil
		}
	}
	attacks := []func(context.Context, websocket.Dialer, string){h.silent, h.heavy, h.vanish, h.flood}
	for i := 0; i < n; i++ {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			attacks[i%len(attacks)](ctx, d, u)
		}()
	}
	return h
}

// wait waits for the hostile clients to stop and returns their figures.
func (h *hostileRun) wait() *HostileResult {
	h.wg.Wait()
	r := h.res
	r.Connections, r.Refused, r.Closed, r.Jobs = h.conns.Load(), h.refused.Load(), h.closed.Load(), h.jobs.Load()
	r.MB = float64(h.written.Load()) / (1 << 20)
	return &r
}

// dial connects, or counts a refusal and waits a little before the caller
// tries again.
func (h *hostileRun) dial(ctx context.Context, d websocket.Dialer, u string) *websocket.Conn {
	c, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if ctx.Err() == nil {
			h.refused.Add(1)
			if resp == nil || resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests {
				time.Sleep(10 * time.Millisecond)
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
		return nil
	}
	h.conns.Add(1)
	return c
}

func (h *hostileRun) write(c *websocket.Conn, typ int, data []byte) bool {
	_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if c.WriteMessage(typ, data) != nil {
		h.closed.Add(1)
		return false
	}
	h.written.Add(uint64(len(data)))
	return true
}

// writePrepared sends a message compressed once for every connection, so
// that the attackers (in the load test's process) cost the server's
// machine little: an attacker would be elsewhere.
func (h *hostileRun) writePrepared(c *websocket.Conn, pm *websocket.PreparedMessage, size int) bool {
	_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if c.WritePreparedMessage(pm) != nil {
		h.closed.Add(1)
		return false
	}
	h.written.Add(uint64(size))
	return true
}

func mustPrepare(data []byte) *websocket.PreparedMessage {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		panic(err) // only for an invalid message type
	}
	return pm
}

// closeAtEnd closes c when ctx ends.
func closeAtEnd(ctx context.Context, c *websocket.Conn) func() {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	return func() { stop(); c.Close() }
}

// silent sends messages that each earn an error reply, and never reads.
func (h *hostileRun) silent(ctx context.Context, d websocket.Dialer, u string) {
	bad := append([]byte(`{"type":"`), bytes.Repeat([]byte("<"), 1<<20-16)...)
	bad = append(bad, `"}`...)
	pm := mustPrepare(bad)
	for ctx.Err() == nil {
		c := h.dial(ctx, d, u)
		if c == nil {
			continue
		}
		done := closeAtEnd(ctx, c)
		for ctx.Err() == nil && h.writePrepared(c, pm, len(bad)) {
		}
		done()
	}
}

// heavy opens connection after connection, each sending one valid 1 MB
// message, and keeps them open.
func (h *hostileRun) heavy(ctx context.Context, d websocket.Dialer, u string) {
	msg := append([]byte(`{"type":"ping","id":1}`), bytes.Repeat([]byte(" "), 1<<20-32)...)
	pm := mustPrepare(msg)
	var open []*websocket.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for ctx.Err() == nil {
		c := h.dial(ctx, d, u)
		if c == nil {
			continue
		}
		if !h.writePrepared(c, pm, len(msg)) {
			c.Close()
			continue
		}
		open = append(open, c)
		go func() { // read (the pong, pings), so that the server sees a good client
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// vanish starts jobs with one move and leaves, over and over.
func (h *hostileRun) vanish(ctx context.Context, d websocket.Dialer, u string) {
	move := wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenDown}}}.Encode()
	for ctx.Err() == nil {
		c := h.dial(ctx, d, u)
		if c == nil {
			continue
		}
		var key [16]byte
		_, _ = rand.Read(key[:])
		if h.write(c, websocket.TextMessage, wire.Message{Type: wire.TypeHello, Key: hex.EncodeToString(key[:])}.Encode()) &&
			h.write(c, websocket.TextMessage, move) {
			h.jobs.Add(1)
		}
		c.Close()
	}
}

// flood sends pings and unsolicited pongs as fast as it can, inside an
// unfinished message.
func (h *hostileRun) flood(ctx context.Context, d websocket.Dialer, u string) {
	for ctx.Err() == nil {
		c := h.dial(ctx, d, u)
		if c == nil {
			continue
		}
		done := closeAtEnd(ctx, c)
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		if w, err := c.NextWriter(websocket.TextMessage); err == nil {
			_, _ = w.Write(append([]byte(`{"type":"ping","id":1,"x":"`), bytes.Repeat([]byte("a"), 16<<10)...))
		}
		for ctx.Err() == nil {
			dl := time.Now().Add(time.Second)
			if c.WriteControl(websocket.PingMessage, []byte("flood"), dl) != nil ||
				c.WriteControl(websocket.PongMessage, []byte("unasked"), dl) != nil {
				h.closed.Add(1)
				break
			}
			h.written.Add(12)
		}
		done()
	}
}
