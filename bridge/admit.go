package bridge

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// admitListener caps the connections that have not finished their
// WebSocket handshake (or their plain HTTP request): at most max at once,
// and perAddr from one client address. One more is closed as soon as it is
// accepted, so that half-open connections, which cost a file descriptor
// each until the header timeout, cannot exhaust the process's descriptors
// or lock everyone else out.
//
// It also bounds the rate at which one address opens connections
// (Limits.ConnectRate), so that a client that connects and leaves over and
// over costs little.
type admitListener struct {
	net.Listener
	max, perAddr int
	rate         float64
	refused      *atomic.Uint64
	pen          *penalties

	mu      sync.Mutex
	pending int
	byAddr  map[string]int
	buckets map[string]*bucket
}

// maxBuckets bounds the connection-rate records kept; past it, those of
// addresses back to a full bucket are forgotten.
const maxBuckets = 4096

func newAdmitListener(ln net.Listener, l Limits, refused *atomic.Uint64, pen *penalties) *admitListener {
	return &admitListener{Listener: ln, max: l.MaxHandshakes, perAddr: l.MaxHandshakesPerAddr, rate: l.ConnectRate,
		refused: refused, pen: pen, byAddr: map[string]int{}, buckets: map[string]*bucket{}}
}

// rateOKLocked takes a token from host's connection bucket.
func (l *admitListener) rateOKLocked(host string, now time.Time) bool {
	b := l.buckets[host]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			for h, o := range l.buckets {
				if o.tokens+now.Sub(o.last).Seconds()*o.rate >= o.burst {
					delete(l.buckets, h)
				}
			}
		}
		b = &bucket{rate: l.rate, burst: 2 * l.rate, tokens: 2 * l.rate, last: now}
		l.buckets[host] = b
	}
	return b.allow(now)
}

// Accept returns the next connection within the caps, closing those over.
func (l *admitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := addrHost(c.RemoteAddr().String())
		now := time.Now()
		if l.pen.active(host, now) {
			l.refused.Add(1)
			reset(c)
			continue
		}
		l.mu.Lock()
		ok := l.pending < l.max && l.byAddr[host] < l.perAddr && l.rateOKLocked(host, now)
		if ok {
			l.pending++
			l.byAddr[host]++
		}
		l.mu.Unlock()
		if !ok {
			l.refused.Add(1)
			reset(c)
			continue
		}
		return &admitConn{Conn: c, l: l, host: host}, nil
	}
}

// reset closes a connection refused at accept with a TCP reset: cheaper
// than an orderly close for both ends (no exchange of FINs, and no socket
// left waiting on this side), so that a client that connects over and over
// costs the server as little as possible.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// admitConn is a connection counted as pending until its handshake is done
// (admitted) or it closes.
type admitConn struct {
	net.Conn
	l    *admitListener
	host string
	once sync.Once
}

// admitted takes the connection off the pending count.
func (c *admitConn) admitted() {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.pending--
		if c.l.byAddr[c.host]--; c.l.byAddr[c.host] <= 0 {
			delete(c.l.byAddr, c.host)
		}
		c.l.mu.Unlock()
	})
}

func (c *admitConn) Close() error {
	c.admitted()
	return c.Conn.Close()
}

// admitted tells c's listener, if it is an admitListener's, that the
// connection finished its handshake.
func admitted(c net.Conn) {
	if ac, ok := c.(*admitConn); ok {
		ac.admitted()
	}
}

// addrHost is the host of a host:port address (the client's IP).
func addrHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// penalties are the client addresses that may not connect for a while,
// after one of their connections was closed for flooding.
type penalties struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// add bars host until now+d.
func (p *penalties) add(host string, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.until == nil {
		p.until = map[string]time.Time{}
	}
	if len(p.until) >= maxBuckets {
		now := time.Now()
		for h, t := range p.until {
			if now.After(t) {
				delete(p.until, h)
			}
		}
	}
	p.until[host] = until
}

// active reports whether host is barred now.
func (p *penalties) active(host string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.until[host]
	if ok && now.After(t) {
		delete(p.until, host)
		return false
	}
	return ok
}
