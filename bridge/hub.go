package bridge

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
	"mbotdraw/perf"
)

// hub is what the robot bridge and the live companion share: the checked
// upgrade, the set of connected peers, broadcasting, round-trip statistics.
type hub struct {
	token    string
	limits   Limits
	comp     Compression
	logf     func(format string, a ...any)
	onRTT    func(time.Duration)
	upgrader websocket.Upgrader
	start    time.Time // ping payloads are nanoseconds since start
	// slotInterval is the least time between two messages of one slot to
	// one peer (0: none); the peer's writer sends the latest.
	slotInterval time.Duration

	mu        sync.Mutex
	peers     map[*peer]struct{}
	upgrading int            // handshakes under way
	byAddr    map[string]int // peers and handshakes per client address
	closing   bool

	pen penalties // addresses barred after flooding

	// large holds a token per large read buffer in use (maxLarge at most);
	// largeBufs keeps the free ones until the garbage collector takes them.
	large     chan struct{}
	largeBufs sync.Pool

	rttMu sync.Mutex
	rtt   perf.Histogram

	st counters
	wg sync.WaitGroup
}

// counters are the hub's running totals, read by Stats.
type counters struct {
	accepted, unauthorized, forbidden, refused atomic.Uint64
	refusedAddr, refusedEarly                  atomic.Uint64
	in, out, errors, rateLimited, dropped      atomic.Uint64
	closedSlow, closedAbuse, closedTooBig      atomic.Uint64
	bytesIn                                    atomic.Uint64
}

// handlers are a hub user's callbacks for one peer. message runs on the
// peer's reader goroutine; open before the first message, close once after
// the last.
type handlers struct {
	open    func(p *peer)
	message func(p *peer, m *wire.Message)
	close   func(p *peer)
}

func newHub(token string, l Limits, c Compression, logf func(string, ...any), onRTT func(time.Duration)) *hub {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	h := &hub{token: token, limits: l.withDefaults(), comp: c.withDefaults(), logf: logf, onRTT: onRTT,
		start: time.Now(), peers: map[*peer]struct{}{}, byAddr: map[string]int{}, large: make(chan struct{}, maxLarge)}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout:  10 * time.Second,
		EnableCompression: !c.Off,
		// Idle connections hold no write buffer.
		WriteBufferPool: &sync.Pool{},
		// The origin was checked before the upgrade, in serveWS.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	return h
}

// serveWS checks the token (401) and the origin (403), then upgrades the
// connection and runs a peer on it.
func (h *hub) serveWS(w http.ResponseWriter, r *http.Request, hd handlers) {
	if !authorized(r, h.token) {
		h.st.unauthorized.Add(1)
		w.Header().Set("WWW-Authenticate", `Bearer realm="mbotdraw"`)
		http.Error(w, "401 unauthorized: this server needs its token (Authorization: Bearer T, or ?token=T)", http.StatusUnauthorized)
		return
	}
	if !originAllowed(r, h.token) {
		h.forbid(w, r)
		return
	}
	host := addrHost(r.RemoteAddr)
	if h.pen.active(host, time.Now()) {
		h.st.refusedAddr.Add(1)
		http.Error(w, "429 too many messages came from your computer: wait a few seconds, then try again", http.StatusTooManyRequests)
		return
	}
	h.mu.Lock()
	closing, full := h.closing, len(h.peers)+h.upgrading >= h.limits.MaxClients
	crowd := h.byAddr[host] >= h.limits.MaxClientsPerAddr
	if !closing && !full && !crowd {
		h.upgrading++ // a place kept during the handshake
		h.byAddr[host]++
	}
	h.mu.Unlock()
	switch {
	case closing:
		http.Error(w, "503 shutting down", http.StatusServiceUnavailable)
		return
	case full:
		h.st.refused.Add(1)
		http.Error(w, "503 too many clients; try again later", http.StatusServiceUnavailable)
		return
	case crowd:
		h.st.refusedAddr.Add(1)
		http.Error(w, "429 too many connections from your computer; close some and try again", http.StatusTooManyRequests)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.mu.Lock()
		h.upgrading--
		h.leaveLocked(host)
		h.mu.Unlock()
		return // the upgrader has answered with the reason
	}
	admitted(conn.NetConn())
	h.st.accepted.Add(1)
	p := newPeer(h, conn, r.RemoteAddr, hd)
	h.mu.Lock()
	h.upgrading--
	if h.closing {
		h.leaveLocked(host)
		h.mu.Unlock()
		p.kick(websocket.CloseGoingAway, "shutting down")
		conn.Close()
		return
	}
	h.peers[p] = struct{}{}
	h.wg.Add(2)
	h.mu.Unlock()
	if hd.open != nil {
		hd.open(p)
	}
	go p.writeLoop()
	go p.readLoop()
}

// admit wraps ln so that it caps the handshakes under way (Limits.MaxHandshakes).
func (h *hub) admit(ln net.Listener) net.Listener {
	return newAdmitListener(ln, h.limits, &h.st.refusedEarly, &h.pen)
}

// leaveLocked forgets a connection from host.
func (h *hub) leaveLocked(host string) {
	if h.byAddr[host]--; h.byAddr[host] <= 0 {
		delete(h.byAddr, host)
	}
}

// forbid refuses a request from a foreign page or host name (HTTP 403).
func (h *hub) forbid(w http.ResponseWriter, r *http.Request) {
	h.st.forbidden.Add(1)
	h.logf("refused %s: Host %.60q, Origin %.60q is not this computer", r.RemoteAddr, r.Host, r.Header.Get("Origin"))
	http.Error(w, "403 forbidden: only pages on this computer (localhost, 127.0.0.1) may connect here", http.StatusForbidden)
}

// broadcast puts data in slot of every peer: each peer gets the latest value
// of each slot, never a backlog, so a slow peer costs nobody anything.
func (h *hub) broadcast(slot int, data []byte) { h.broadcastExcept(slot, data, nil) }

// broadcastExcept is broadcast to every peer but except.
func (h *hub) broadcastExcept(slot int, data []byte, except *peer) {
	m := prepare(data)
	h.mu.Lock()
	for p := range h.peers {
		if p != except {
			p.setSlot(slot, m)
		}
	}
	h.mu.Unlock()
}

// prepare wraps data so that each compression variant is built once, however
// many peers it goes to.
func prepare(data []byte) outMsg {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return outMsg{data: data}
	}
	return outMsg{pm: pm, size: len(data)}
}

// closeAll closes every peer with code and reason and waits for their
// goroutines, at most until deadline.
func (h *hub) closeAll(code int, reason string, deadline time.Time) {
	h.mu.Lock()
	h.closing = true
	ps := make([]*peer, 0, len(h.peers))
	for p := range h.peers {
		ps = append(ps, p)
	}
	h.mu.Unlock()
	for _, p := range ps {
		p.kick(code, reason)
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
	}
}

func (h *hub) recordRTT(d time.Duration) {
	h.rttMu.Lock()
	h.rtt.Record(d)
	h.rttMu.Unlock()
	if h.onRTT != nil {
		h.onRTT(d)
	}
}

// Stats are a server's running totals since it started.
type Stats struct {
	// Clients connected now.
	Clients int `json:"clients"`
	// Accepted upgrades; Unauthorized (401), Forbidden (403), Refused
	// (503: too many clients) and RefusedAddr (429: too many from one
	// address) refusals; RefusedEarly, connections closed before their
	// handshake because too many handshakes were under way.
	Accepted     uint64 `json:"accepted"`
	Unauthorized uint64 `json:"unauthorized"`
	Forbidden    uint64 `json:"forbidden"`
	Refused      uint64 `json:"refused"`
	RefusedAddr  uint64 `json:"refused_addr"`
	RefusedEarly uint64 `json:"refused_early"`
	// MessagesIn and MessagesOut count WebSocket messages; BytesIn their
	// payload bytes after decompression.
	MessagesIn  uint64 `json:"messages_in"`
	MessagesOut uint64 `json:"messages_out"`
	BytesIn     uint64 `json:"bytes_in"`
	// Errors counts error messages sent; RateLimited the messages dropped
	// for going over the rate; Dropped the error messages not sent because
	// the client's queue was full.
	Errors      uint64 `json:"errors"`
	RateLimited uint64 `json:"rate_limited"`
	Dropped     uint64 `json:"dropped"`
	// Clients closed because they stopped reading (ClosedSlow), kept
	// flooding (ClosedAbuse) or sent a message over the read limit
	// (ClosedTooBig).
	ClosedSlow   uint64 `json:"closed_slow"`
	ClosedAbuse  uint64 `json:"closed_abuse"`
	ClosedTooBig uint64 `json:"closed_too_big"`
	// RTT is the WebSocket ping round trip over every client, in ms.
	RTT perf.Summary `json:"rtt_ms"`
	// RTTCount is the number of round trips measured.
	RTTCount uint64 `json:"rtt_count"`
}

func (h *hub) stats() Stats {
	h.mu.Lock()
	n := len(h.peers)
	h.mu.Unlock()
	h.rttMu.Lock()
	rtt, cnt := h.rtt.Summary(), h.rtt.Count()
	h.rttMu.Unlock()
	return Stats{
		Clients: n, Accepted: h.st.accepted.Load(), Unauthorized: h.st.unauthorized.Load(), Forbidden: h.st.forbidden.Load(),
		Refused: h.st.refused.Load(), RefusedAddr: h.st.refusedAddr.Load(), RefusedEarly: h.st.refusedEarly.Load(),
		MessagesIn: h.st.in.Load(), MessagesOut: h.st.out.Load(), BytesIn: h.st.bytesIn.Load(),
		Errors: h.st.errors.Load(), RateLimited: h.st.rateLimited.Load(), Dropped: h.st.dropped.Load(),
		ClosedSlow: h.st.closedSlow.Load(), ClosedAbuse: h.st.closedAbuse.Load(), ClosedTooBig: h.st.closedTooBig.Load(),
		RTT: rtt, RTTCount: cnt,
	}
}

// rttHistogram returns a copy of the round-trip histogram.
func (h *hub) rttHistogram() perf.Histogram {
	h.rttMu.Lock()
	defer h.rttMu.Unlock()
	return h.rtt
}
