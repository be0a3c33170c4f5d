package link

import (
	"errors"
	"math"
	"testing"
	"time"

	"mbotdraw/robot/mblock"
)

// host is the test's side of a link: it sends a frame and waits for its
// reply, as a driver does with one frame in flight.
type host struct {
	t *testing.T
	l Link
	r *mblock.Reader
}

func newHost(t *testing.T, l Link) *host {
	t.Helper()
	if err := l.SetReadTimeout(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	return &host{t: t, l: l, r: mblock.NewReader(l)}
}

// send writes frame and returns the next reply that is not a banner or a
// button event.
func (h *host) send(frame []byte) mblock.Reply {
	h.t.Helper()
	rep, err := h.try(frame)
	if err != nil {
		h.t.Fatalf("send % x: %v", frame, err)
	}
	return rep
}

func (h *host) try(frame []byte) (mblock.Reply, error) {
	if _, err := h.l.Write(frame); err != nil {
		return mblock.Reply{}, err
	}
	for {
		rep, err := h.r.Next()
		if err != nil {
			return rep, err
		}
		if rep.Kind != mblock.Banner && rep.Kind != mblock.Button {
			return rep, nil
		}
	}
}

func (h *host) ack(frame []byte) {
	h.t.Helper()
	if rep := h.send(frame); rep.Kind != mblock.Ack {
		h.t.Fatalf("% x: reply %v, want ack", frame, rep)
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// within fails the test if fn has not returned after d: a hang is a bug.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still blocked after %v", what, d)
	}
}

func isLost(err error) bool { return errors.Is(err, ErrLost) }

// programFrames returns the frames a robot received, less the version
// requests of the hosts' handshakes.
func programFrames(fr []Received) []Received {
	var out []Received
	for _, f := range fr {
		if !HandshakeFrame(f.Frame) {
			out = append(out, f)
		}
	}
	return out
}
