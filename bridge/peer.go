package bridge

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// numSlots is the number of latest-value slots a peer has (see hub.broadcast).
const numSlots = 2

// abuseWindow is the window in which Limits.AbuseLimit counts.
const abuseWindow = 10 * time.Second

// lingerTime is how long a closing connection waits for the client to
// receive its close frame and answer before the socket is closed.
const lingerTime = time.Second

// outMsg is a message waiting to be written: raw JSON, or a prepared message
// shared by every peer of a broadcast.
type outMsg struct {
	data []byte
	pm   *websocket.PreparedMessage
	size int
}

// peer is one WebSocket client: a reader goroutine that checks and decodes
// its messages, and a writer goroutine that drains its bounded queue, its
// latest-value slots and its pings. Nothing else ever blocks on a peer.
type peer struct {
	h    *hub
	conn *websocket.Conn
	addr string
	hd   handlers

	queue chan outMsg
	// pending counts queued messages not yet written, queuedBytes their
	// bytes; writeMu is held by whoever writes a data message.
	pending     atomic.Int64
	queuedBytes atomic.Int64
	writeMu     sync.Mutex
	slots       [numSlots]atomic.Pointer[outMsg]
	signal      chan struct{}
	quit        chan struct{}

	quitOnce   sync.Once
	kickOnce   sync.Once
	kicked     atomic.Bool
	kickc      chan struct{} // closed by kick
	closeFrame []byte        // set by kick, before kickc closes
	closeSent  chan struct{} // closed once the writer has sent closeFrame

	// pingSent is the payload of the last ping (ns since the hub's start),
	// set by the writer; pongSeen that of the last pong measured, kept by
	// the reader. Only a pong answering a ping sent since is measured, so
	// that a client's unsolicited or replayed pongs cannot skew the RTT.
	pingSent atomic.Int64
	pongSeen int64

	// Reader-owned (the control-frame handlers run on the reader too).
	bucket      bucket
	bytes       bucket // bytes received, after decompression
	rejected    int
	windowStart time.Time
	midMessage  bool // between a message's first frame and its end
	buf         bytes.Buffer
	msgData     []byte   // the message read: in buf, or in large
	large       *[]byte  // a large buffer of the hub's, while held
	replies     [][]byte // answers to the message being handled, in arena
	arena       []byte
	msg         wire.Message

	// data is the hub user's per-peer state (the bridge's job owner record).
	data any
}

func newPeer(h *hub, conn *websocket.Conn, addr string, hd handlers) *peer {
	l := h.limits
	p := &peer{h: h, conn: conn, addr: addr, hd: hd,
		queue: make(chan outMsg, l.SendQueue), signal: make(chan struct{}, 1), quit: make(chan struct{}), kickc: make(chan struct{}), closeSent: make(chan struct{}),
		bucket: bucket{rate: l.Rate, burst: float64(l.Burst), tokens: float64(l.Burst), last: time.Now()},
		bytes:  bucket{rate: l.ByteRate, burst: float64(l.ReadLimit), tokens: float64(l.ReadLimit), last: time.Now()}}
	// The wire limit leaves room for deflate's overhead on incompressible
	// data; the real limit is checked after decompression, in readLoop.
	conn.SetReadLimit(l.ReadLimit + l.ReadLimit/8 + 1024)
	if !h.comp.Off {
		_ = conn.SetCompressionLevel(h.comp.Level)
	}
	conn.SetPingHandler(p.onPing)
	conn.SetPongHandler(p.onPong)
	return p
}

// onPing answers a client's ping, within the client's message rate: a ping
// costs what a message costs, and pings over the rate go unanswered (and
// count towards the abuse limit).
func (p *peer) onPing(data string) error {
	if !p.allowControl() {
		return errAbuse
	}
	err := p.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(p.h.limits.WriteTimeout))
	if err != nil && !isTimeout(err) && !errors.Is(err, websocket.ErrCloseSent) {
		return err
	}
	return nil
}

// onPong measures the round trip of a pong that answers our own latest
// ping, and only such a pong shows the client alive: a client's unsolicited
// or replayed pongs neither skew the statistics nor keep a connection (or
// an unfinished message) open. It costs a message of the rate, like a ping.
func (p *peer) onPong(s string) error {
	if !p.allowControl() {
		return errAbuse
	}
	if len(s) != 8 {
		return nil
	}
	sent := int64(binary.BigEndian.Uint64([]byte(s)))
	if sent <= p.pongSeen || sent > p.pingSent.Load() {
		return nil
	}
	p.pongSeen = sent
	p.h.recordRTT(time.Since(p.h.start) - time.Duration(sent))
	if !p.midMessage {
		p.extendDeadline()
	}
	return nil
}

// errAbuse ends the reader of a client closed for flooding.
var errAbuse = errors.New("client closed for flooding")

// allowControl takes a control frame's token from the bucket; it reports
// false when the client has gone past the abuse limit and is being closed.
func (p *peer) allowControl() bool {
	now := time.Now()
	if p.bucket.allow(now) {
		return true
	}
	p.h.st.rateLimited.Add(1)
	return !p.abusive(now)
}

// abusive counts one message over the rate and, past the abuse limit,
// closes the client (1008). It reports whether it did.
func (p *peer) abusive(now time.Time) bool {
	if now.Sub(p.windowStart) > abuseWindow {
		p.windowStart, p.rejected = now, 0
	}
	p.rejected++
	if p.rejected <= p.h.limits.AbuseLimit {
		return false
	}
	p.h.st.closedAbuse.Add(1)
	p.h.logf("closing %s: %d messages over the rate within %v; no new connections from it for %v", p.addr, p.rejected, abuseWindow, p.h.limits.AbusePenalty)
	p.h.pen.add(addrHost(p.addr), now.Add(p.h.limits.AbusePenalty))
	p.kick(websocket.ClosePolicyViolation, "too many messages")
	return true
}

// send queues a message the client must get (an ack, a pong). A client
// whose queue is full, in messages or in bytes, is not reading: it is
// closed (1008).
func (p *peer) send(data []byte) {
	if data == nil || !p.enqueue(data) {
		select {
		case <-p.quit:
			return
		default:
		}
		p.h.st.closedSlow.Add(1)
		p.h.logf("closing %s: not reading (send queue full: %d messages, %d bytes)", p.addr, p.pending.Load(), p.queuedBytes.Load())
		p.kick(websocket.ClosePolicyViolation, "too slow: send queue full")
	}
}

// offer queues a message the client may miss (an error report). When the
// queue is full, the message is dropped and the client, which has fallen
// behind, is closed like in send.
func (p *peer) offer(data []byte) {
	if !p.enqueue(data) {
		p.h.st.dropped.Add(1)
		p.send(nil)
	}
}

// enqueue queues data if the queue has room for it in messages and bytes.
func (p *peer) enqueue(data []byte) bool {
	n := int64(len(data))
	if p.queuedBytes.Add(n) > int64(p.h.limits.SendQueueBytes) {
		p.queuedBytes.Add(-n)
		return false
	}
	p.pending.Add(1)
	select {
	case p.queue <- outMsg{data: data}:
		return true
	default:
		p.pending.Add(-1)
		p.queuedBytes.Add(-n)
		return false
	}
}

// dequeued accounts for a queued message written (or given up).
func (p *peer) dequeued(m outMsg) {
	p.pending.Add(-1)
	p.queuedBytes.Add(-int64(len(m.data)))
}

// reply answers the message being handled (an ack, a pong, a welcome). It
// may only be called from the peer's message handler; the answers go out
// when the handler returns, written by the reader itself when nothing else
// waits (one goroutine hand-off less on the round trip), else queued behind
// what waits. They are encoded into a buffer the reader reuses.
func (p *peer) reply(m wire.Message) {
	start := len(p.arena)
	p.arena = m.AppendJSON(p.arena)
	p.replies = append(p.replies, p.arena[start:len(p.arena):len(p.arena)])
}

// flushReplies writes the handler's answers; it reports false when the
// connection failed.
func (p *peer) flushReplies() bool {
	defer func() {
		clear(p.replies)
		p.replies, p.arena = p.replies[:0], p.arena[:0]
	}()
	for _, data := range p.replies {
		if p.pending.Load() == 0 && p.writeMu.TryLock() {
			if p.pending.Load() == 0 {
				err := p.write(outMsg{data: data})
				p.writeMu.Unlock()
				if err != nil {
					p.writeFailed(err)
					return false
				}
				continue
			}
			p.writeMu.Unlock()
		}
		p.send(append([]byte(nil), data...)) // the arena is reused
	}
	return true
}

// writeFailed ends the connection after a failed write: a write that timed
// out means the client stopped reading.
func (p *peer) writeFailed(err error) {
	if isTimeout(err) {
		p.h.st.closedSlow.Add(1)
		p.h.logf("closing %s: write timed out (not reading)", p.addr)
	}
	p.quitOnce.Do(func() { close(p.quit) })
	p.conn.Close()
}

// maxErrorLen bounds an error message's text, in bytes, so that no error
// can be made to echo a large input back.
const maxErrorLen = 300

// sendError offers an error message about seq (0: about no message).
func (p *peer) sendError(seq uint64, format string, a ...any) {
	p.h.st.errors.Add(1)
	text := fmt.Sprintf(format, a...)
	if len(text) > maxErrorLen {
		text = strings.ToValidUTF8(text[:maxErrorLen], "") + "…"
	}
	m := wire.Message{Type: wire.TypeError, Seq: seq, Message: text}
	p.offer(m.Encode())
}

// setSlot replaces the slot's pending value; the writer sends the latest.
func (p *peer) setSlot(i int, m outMsg) {
	p.slots[i].Store(&m)
	select {
	case p.signal <- struct{}{}:
	default:
	}
}

// kick closes the connection with a close code and reason, after the
// messages already waiting for the client. It never blocks.
func (p *peer) kick(code int, reason string) {
	p.kickOnce.Do(func() {
		p.kicked.Store(true)
		p.closeFrame = websocket.FormatCloseMessage(code, reason)
		close(p.kickc)
		// If the writer is stuck on a client that does not read, this ends it.
		time.AfterFunc(2*lingerTime, func() { p.conn.Close() })
	})
}

func (p *peer) extendDeadline() {
	if !p.kicked.Load() {
		_ = p.conn.SetReadDeadline(time.Now().Add(p.h.limits.ReadTimeout))
	}
}

func (p *peer) readLoop() {
	defer p.finish()
	for {
		p.extendDeadline()
		p.midMessage = false
		typ, r, err := p.conn.NextReader()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				// gorilla has sent the close frame (1009).
				p.h.st.closedTooBig.Add(1)
				p.linger(sentAlready)
			}
			return
		}
		if p.kicked.Load() {
			return
		}
		if typ != websocket.TextMessage {
			p.kick(websocket.CloseUnsupportedData, "binary messages are not accepted: send JSON text")
			return
		}
		if !p.waitForBytes() {
			return
		}
		// The whole message must come within ReadTimeout of its first frame:
		// no pong extends that.
		p.extendDeadline()
		p.midMessage = true
		if !p.readMessage(r) {
			return
		}
		p.midMessage = false
		now := time.Now()
		if !p.bucket.allow(now) {
			if p.overRate(now) {
				return
			}
			continue
		}
		// The message, its moves and points are only valid during the call:
		// handlers copy what they keep.
		err = wire.DecodeInto(&p.msg, p.msgData)
		p.releaseBuffers()
		if err != nil {
			p.sendError(0, "%v", err)
			continue
		}
		p.hd.message(p, &p.msg)
		if !p.flushReplies() {
			return
		}
	}
}

// readMessage reads the message r into p.buf, checking its size after
// decompression and its UTF-8. It reports false when the connection ends.
func (p *peer) readMessage(r io.Reader) bool {
	l := p.h.limits
	p.buf.Reset()
	n, err := p.buf.ReadFrom(io.LimitReader(r, keepBuffer))
	p.msgData = p.buf.Bytes()
	if err == nil && n == keepBuffer {
		// A large message: read on into one of the hub's few large
		// buffers, waiting for one if all are in use.
		n, err = p.readLarge(r)
	}
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			p.h.st.closedTooBig.Add(1)
			p.linger(sentAlready)
		}
		return false
	}
	if n > l.ReadLimit {
		p.h.st.closedTooBig.Add(1)
		p.kick(websocket.CloseMessageTooBig, fmt.Sprintf("message over %d bytes", l.ReadLimit))
		return false // finish lingers
	}
	p.h.st.in.Add(1)
	p.h.st.bytesIn.Add(uint64(n))
	p.bytes.take(time.Now(), float64(n))
	if !utf8.Valid(p.msgData) {
		p.kick(websocket.CloseInvalidFramePayloadData, "text message is not valid UTF-8")
		return false
	}
	return true
}

// maxLarge is how many messages larger than keepBuffer a hub reads at once:
// however many clients send large messages together, they hold at most
// this many read buffers (of Limits.ReadLimit each).
const maxLarge = 8

// readLarge reads the rest of a large message (p.msgData holds its start) into
// a large buffer, at most ReadLimit+1 bytes; it returns the message's
// length so far. releaseBuffers gives the buffer back.
func (p *peer) readLarge(r io.Reader) (int64, error) {
	select {
	case p.h.large <- struct{}{}:
	case <-p.kickc:
		return 0, errAbuse
	case <-p.quit:
		return 0, errAbuse
	}
	size := int(p.h.limits.ReadLimit) + 1
	bp, _ := p.h.largeBufs.Get().(*[]byte)
	if bp == nil || cap(*bp) < size {
		b := make([]byte, 0, size)
		bp = &b
	}
	p.large = bp
	big := append((*bp)[:0], p.msgData...)
	var err error
	for len(big) < size {
		var k int
		k, err = r.Read(big[len(big):size])
		big = big[:len(big)+k]
		if err != nil {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	*bp, p.msgData = big, big
	return int64(len(big)), err
}

// waitForBytes holds the reader while the client is over its byte rate
// (its last messages took the byte bucket into debt): the server reads
// nothing from it meanwhile, and TCP makes the client wait. It reports
// false when the connection is closing.
func (p *peer) waitForBytes() bool {
	d := p.bytes.debt(time.Now())
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.kickc:
		return false
	case <-p.quit:
		return false
	}
}

// keepBuffer is the largest read buffer a peer keeps between messages, in
// bytes; a larger one (after a large message) is released, so that many
// clients that each sent one large message hold no memory for it.
const keepBuffer = 64 << 10

// releaseBuffers drops the read buffer and the decoded message's slices
// when a large message grew them.
func (p *peer) releaseBuffers() {
	if p.large != nil {
		*p.large = (*p.large)[:0]
		p.h.largeBufs.Put(p.large)
		p.large = nil
		<-p.h.large
	}
	p.msgData = nil
	if p.buf.Cap() > 2*keepBuffer {
		p.buf = bytes.Buffer{}
	}
	if cap(p.msg.Moves)*8 > keepBuffer {
		p.msg.Moves = nil
	}
	if cap(p.msg.Points)*24 > keepBuffer {
		p.msg.Points = nil
	}
}

// overRate handles a message over the rate: dropped with an error, or, past
// the abuse limit, the client closed. It reports whether the client was closed.
func (p *peer) overRate(now time.Time) bool {
	p.h.st.rateLimited.Add(1)
	if p.abusive(now) {
		p.releaseBuffers()
		return true
	}
	var seq uint64
	if m, err := wire.Decode(p.msgData); err == nil {
		seq = m.Seq
	}
	p.releaseBuffers()
	p.sendError(seq, "rate limit: at most %g messages a second (burst %d); message dropped", p.h.limits.Rate, p.h.limits.Burst)
	return false
}

// lingerBytes is the most a closing connection discards once its close
// frame is sent: a client that keeps sending past it (a flood, the rest of
// a huge message) is cut off then, so that it costs no more than that.
const lingerBytes = 64 << 10

// sentAlready is a closed channel: for linger, a close frame sent already.
var sentAlready = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// linger gives the client time to read our close frame before the socket
// closes: it discards what the client still sends, for at most lingerTime,
// and at most lingerBytes once sent is closed (the close frame is out:
// until then, a client blocked on writing to us could not read it).
func (p *peer) linger(sent <-chan struct{}) {
	nc := p.conn.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(lingerTime))
	var after int64
	for after < lingerBytes {
		n, err := io.CopyN(io.Discard, nc, lingerBytes/4)
		select {
		case <-sent:
			after += n
		default:
		}
		if err != nil {
			return
		}
	}
}

// finish runs once the reader has stopped: it stops the writer, closes the
// socket and tells the hub's user.
func (p *peer) finish() {
	p.releaseBuffers()
	if p.kicked.Load() {
		p.linger(p.closeSent)
	}
	p.quitOnce.Do(func() { close(p.quit) })
	p.conn.Close()
	p.h.mu.Lock()
	delete(p.h.peers, p)
	p.h.leaveLocked(addrHost(p.addr))
	p.h.mu.Unlock()
	if p.hd.close != nil {
		p.hd.close(p)
	}
	p.h.wg.Done()
}

func (p *peer) writeLoop() {
	defer p.h.wg.Done()
	ping := time.NewTicker(p.h.limits.PingInterval)
	defer ping.Stop()
	var sl slotPacer
	defer sl.stop()
	for {
		var err error
		select {
		case <-p.quit:
			return
		case <-p.kickc:
			p.flushAndClose()
			return
		case m := <-p.queue:
			p.writeMu.Lock()
			err = p.write(m)
			p.dequeued(m)
			p.writeMu.Unlock()
		case <-p.signal:
			err = p.writeSlots(&sl)
		case <-sl.c:
			sl.c = nil
			err = p.writeSlots(&sl)
		case <-ping.C:
			var b [8]byte
			sent := max(1, int64(time.Since(p.h.start)))
			p.pingSent.Store(sent)
			binary.BigEndian.PutUint64(b[:], uint64(sent))
			err = p.conn.WriteControl(websocket.PingMessage, b[:], time.Now().Add(p.h.limits.WriteTimeout))
		}
		if err != nil {
			p.writeFailed(err)
			return
		}
	}
}

// slotPacer is a writer's record of when it last wrote each slot, and the
// timer that wakes it when a held-back slot is due.
type slotPacer struct {
	last  [numSlots]time.Time
	timer *time.Timer
	c     <-chan time.Time
	due   time.Time
}

func (sl *slotPacer) stop() {
	if sl.timer != nil {
		sl.timer.Stop()
	}
}

// wake arms the timer for at, unless it is armed sooner.
func (sl *slotPacer) wake(at time.Time) {
	if sl.c != nil && !sl.due.After(at) {
		return
	}
	sl.stop()
	sl.timer, sl.due = time.NewTimer(time.Until(at)), at
	sl.c = sl.timer.C
}

// writeSlots writes the slots that hold a message and are due (a slot is
// written at most once per hub.slotInterval); the others wait for the
// pacer's timer.
func (p *peer) writeSlots(sl *slotPacer) error {
	iv := p.h.slotInterval
	now := time.Now()
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	for i := range p.slots {
		if iv > 0 && now.Sub(sl.last[i]) < iv {
			if p.slots[i].Load() != nil {
				sl.wake(sl.last[i].Add(iv))
			}
			continue
		}
		if m := p.slots[i].Swap(nil); m != nil {
			if err := p.write(*m); err != nil {
				return err
			}
			sl.last[i] = now
		}
	}
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// flushAndClose writes what is waiting (latest slots, queued messages),
// then the close frame, and gives the client lingerTime to answer.
func (p *peer) flushAndClose() {
	deadline := time.Now().Add(lingerTime)
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	ok := true
	for i := range p.slots {
		if m := p.slots[i].Swap(nil); m != nil && ok {
			ok = p.write(*m) == nil
		}
	}
	for ok {
		select {
		case m := <-p.queue:
			ok = p.write(m) == nil
			p.dequeued(m)
			continue
		default:
		}
		break
	}
	_ = p.conn.WriteControl(websocket.CloseMessage, p.closeFrame, deadline)
	close(p.closeSent)
	_ = p.conn.SetReadDeadline(time.Now().Add(lingerTime))
}

func (p *peer) write(m outMsg) error {
	c := p.conn
	_ = c.SetWriteDeadline(time.Now().Add(p.h.limits.WriteTimeout))
	size := m.size
	if m.pm == nil {
		size = len(m.data)
	}
	c.EnableWriteCompression(!p.h.comp.Off && size >= p.h.comp.MinSize)
	p.h.st.out.Add(1)
	if m.pm != nil {
		return c.WritePreparedMessage(m.pm)
	}
	return c.WriteMessage(websocket.TextMessage, m.data)
}

// bucket is a token bucket: rate tokens a second, at most burst saved up.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// take takes n tokens, into debt if need be.
func (b *bucket) take(now time.Time, n float64) {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate) - n
	b.last = now
}

// debt is how long until the bucket is out of debt (0 if it is not).
func (b *bucket) debt(now time.Time) time.Duration {
	t := b.tokens + now.Sub(b.last).Seconds()*b.rate
	if t >= 0 {
		return 0
	}
	return time.Duration(-t / b.rate * float64(time.Second))
}

func (b *bucket) allow(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}
