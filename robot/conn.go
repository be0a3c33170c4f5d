package robot

// The link: one frame in flight (send), and the reader that turns the
// robot's bytes into replies, boot banners and a lost link.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// send writes one frame, waits for its ack, and returns the clock reading
// at which it issued the write: when the robot got it, as near as the host
// can tell (a reading after the write could fall after the ack came back,
// when the host is slow to run again; the round trip is no part of the
// robot's move).
func (d *Driver) send(ctx context.Context, frame []byte) (time.Duration, error) {
	c := d.conn
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := c.takeReset(); err != nil {
		return 0, err
	}
	// Drain stray replies (button events, values nobody asked for) so that
	// the next ack is this frame's.
	for drained := false; !drained; {
		select {
		case <-c.replies:
		default:
			drained = true
		}
	}
	now := d.clock.Now()
	defer d.markDue(now, true)()
	sf := SentFrame{T: now - d.t0, Bytes: frame}
	d.mu.Lock()
	d.sent = append(d.sent, sf)
	d.mu.Unlock()
	if d.o.OnSent != nil {
		d.o.OnSent(sf)
	}
	wall := time.Now()
	d.traffic(Traffic{Kind: TrafficSend, At: wall, Frame: frame})
	// The firmware acks a tone only when it has played, and an ultrasonic
	// read with no echo takes 1.3 s: the wait is the link's allowance plus
	// the firmware's own time for this frame.
	plain := d.o.AckTimeout + mblock.ReplyTime(frame)
	wait := plain
	if c.unready && !c.acked.Load() {
		// Opened without waiting for the board, which may still be
		// starting: give it until the slowest boot is over.
		wait = max(wait, bootGrace-time.Since(c.opened))
	}
	w := newAckWait(d.o.AckTimeout)
	defer w.stop()
	select {
	case <-c.boot:
	default:
	}
	if err := c.write(ctx, frame, w.timer.C); err != nil {
		return 0, c.fail(err, now)
	}
	w.reset(wait)
	acked := func(r mblock.Reply) bool {
		if r.Kind != mblock.Ack {
			return false // a button event, a value nobody asked for
		}
		c.acked.Store(true)
		d.traffic(Traffic{Kind: TrafficAck, At: time.Now(), Frame: frame, RTT: time.Since(wall)})
		return true
	}
	rebooted := false // the board printed its boot banner while this frame was in flight
	for {
		select {
		case r := <-c.replies:
			if acked(r) {
				return now, nil
			}
		case <-w.tick.C:
			w.stalled(time.Now())
		case <-c.lost:
			return 0, c.check()
		case <-c.boot:
			// The board was still starting: the frame may have waited in
			// its UART (then its ack comes now) or been lost (then it goes
			// again when the wait runs out).
			rebooted = true
			w.reset(plain)
		case <-c.wake().Done():
			// The robot restarted: this frame is lost with its state.
			if err := c.takeReset(); err != nil {
				return 0, err
			}
		case <-w.timer.C:
			if w.stalled(time.Now()) {
				continue // the host did not run: the robot's time is not up
			}
			if ackedMeanwhile(c.replies, acked) {
				return now, nil // came with the deadline; select picked the timer
			}
			if rebooted {
				rebooted = false
				if err := c.write(ctx, frame, nil); err != nil {
					return 0, c.fail(err, now)
				}
				w.reset(plain)
				continue
			}
			d.traffic(Traffic{Kind: TrafficTimeout, At: time.Now(), Frame: frame})
			return 0, c.fail(fmt.Errorf("%w: no reply within %v (is it switched on? are its batteries flat?)", ErrNoAck, wait), now)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// ackedMeanwhile reports whether a reply already read is the ack (acked
// says), taking every reply waiting in replies.
func ackedMeanwhile(replies <-chan mblock.Reply, acked func(mblock.Reply) bool) bool {
	for {
		select {
		case r := <-replies:
			if acked(r) {
				return true
			}
		default:
			return false
		}
	}
}

// write writes frame, giving up when expire fires first (a link that no
// longer takes bytes) or ctx ends.
func (c *conn) write(ctx context.Context, frame []byte, expire <-chan time.Time) error {
	written := make(chan error, 1)
	go func() {
		_, err := c.rw.Write(frame)
		written <- err
	}()
	select {
	case err := <-written:
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	case <-expire:
		return errors.New("the link stopped taking data")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// conn is one open link and its reader.
type conn struct {
	rw      io.ReadWriteCloser
	replies chan mblock.Reply
	lost    chan struct{} // closed when the link fails
	ctx     context.Context
	cancel  context.CancelFunc
	clock   Clock

	once sync.Once
	err  *lostError
	// readDone is closed when the reader has returned; timed is set when
	// the link has a read timeout, so that the reader notices ctx.
	readDone chan struct{}
	timed    bool

	// opened is when the link was opened; acked is set by the first ack.
	// A boot banner before the first ack, within bootGrace of opening, is
	// the board starting (opening a USB port restarts it), not a
	// restart mid-run: it is sent on boot.
	opened time.Time
	acked  atomic.Bool
	boot   chan struct{}
	// unready marks a link opened without waiting for the board (a serial
	// port opened with a negative BootWait): its first ack may take until
	// the board has started.
	unready bool

	// Boot banners read (the robot restarted), not yet taken up: the
	// clock reading and the banner's text of each; wakeCtx is cancelled
	// while any is pending.
	rmu     sync.Mutex
	resets  []lostError
	wakeCtx context.Context
	wakeFn  context.CancelFunc
}

func (d *Driver) newConn(rw io.ReadWriteCloser) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{rw: rw, replies: make(chan mblock.Reply, 16), lost: make(chan struct{}), ctx: ctx, cancel: cancel, clock: d.clock,
		opened: time.Now(), boot: make(chan struct{}, 1)}
	if b, ok := rw.(link.Boarder); ok && b.Board() == (link.Board{}) {
		c.unready = true
	}
	c.wakeCtx, c.wakeFn = context.WithCancel(context.Background())
	if t, ok := rw.(interface{ SetReadTimeout(time.Duration) error }); ok {
		c.timed = t.SetReadTimeout(200*time.Millisecond) == nil
	}
	c.readDone = make(chan struct{})
	go func() {
		defer close(c.readDone)
		c.read()
	}()
	return c
}

func (c *conn) read() {
	r := mblock.NewReader(c.rw)
	for {
		rep, err := r.Next()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if c.ctx.Err() != nil {
					return
				}
				continue // quiet line; the parser has flushed
			}
			c.fail(fmt.Errorf("read: %w", err), c.clock.Now())
			return
		}
		if rep.Kind == mblock.Banner {
			if !c.acked.Load() && time.Since(c.opened) < bootGrace {
				select {
				case c.boot <- struct{}{}:
				default:
				}
				continue
			}
			c.noteBanner(rep.Text, c.clock.Now())
			continue
		}
		select {
		case c.replies <- rep:
		case <-c.ctx.Done():
			return
		}
	}
}

// noteBanner records a boot banner read at clock reading at.
func (c *conn) noteBanner(text string, at time.Duration) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	cause := fmt.Errorf("%w mid-run (a power dip? fresh batteries help; it printed %q); going on from where it stopped", ErrRobotReset, text)
	c.resets = append(c.resets, lostError{cause: cause, at: at, reset: true})
	c.wakeFn()
}

// wake returns a context that is done while a restart is pending.
func (c *conn) wake() context.Context {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return c.wakeCtx
}

// takeReset returns the oldest pending restart as a *lostError (reset set),
// or nil.
func (c *conn) takeReset() error {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if len(c.resets) == 0 {
		return nil
	}
	le := c.resets[0]
	c.resets = c.resets[1:]
	if len(c.resets) == 0 {
		c.wakeCtx, c.wakeFn = context.WithCancel(context.Background())
	}
	return &le
}

// fail marks the link lost (the first cause wins) and returns the error.
func (c *conn) fail(cause error, at time.Duration) error {
	c.once.Do(func() {
		c.err = &lostError{cause: cause, at: at}
		close(c.lost)
		c.cancel()
	})
	return c.err
}

// check returns the loss error, or nil while the link is healthy.
func (c *conn) check() error {
	select {
	case <-c.lost:
		return c.err
	default:
		return nil
	}
}

func (c *conn) close() {
	c.fail(errors.New("closed"), c.clock.Now())
	c.rw.Close()
}

// A Releaser is a link that outlives a run: when a run ends with its link
// healthy, the driver stops reading it and calls Release instead of Close,
// and the link stays open for the next run (package robotconn keeps a
// serial port open, so that the next run does not restart the mBot).
type Releaser interface {
	Release()
}

// errReleased is the cause a released link is marked with.
var errReleased = errors.New("released for the next run")

// release ends the run's use of the link: a healthy Releaser with a read
// timeout is released once its reader has stopped (within the 200 ms read
// timeout); any other link is closed.
func (c *conn) release() {
	rel, ok := c.rw.(Releaser)
	if !ok || !c.timed || c.check() != nil {
		c.close()
		return
	}
	c.fail(errReleased, c.clock.Now())
	<-c.readDone
	if !errors.Is(c.err, errReleased) {
		c.rw.Close() // lost meanwhile
		return
	}
	rel.Release()
}
