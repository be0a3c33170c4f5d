package link

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"mbotdraw/robot/mblock"
)

// Board is what the host learnt about the robot's board while opening the
// link.
type Board struct {
	// Version is the firmware's version ("06.01.107"), from its boot banner
	// or its answer to a version request; "" when it told neither.
	Version string
	// Banner is the boot line the board printed ("Version: 06.01.107"); ""
	// when opening the port did not restart it (Bluetooth, a bridge).
	Banner string
	// Ready is how long after the port opened the board answered.
	Ready time.Duration
}

// Boarder is a link that knows the board behind it (Serial, the virtual
// mBot's in-process link).
type Boarder interface {
	Board() Board
}

// DefaultBootWait is how long Open waits for a board to answer after
// opening its port: the slowest real boot (the factory program behind a
// 1 s bootloader, ready 3.13 s after the reset that opening the port
// causes) with room to spare.
const DefaultBootWait = 4 * time.Second

// Handshake timing.
const (
	// askEvery is how often the host repeats its version request while
	// nothing answers: a board that did not restart (Bluetooth) answers the
	// first; one that is starting loses them harmlessly.
	askEvery = 500 * time.Millisecond
	// confirmWait is how long, after the banner, the host waits for the
	// board's answer to a version request before it trusts the banner
	// alone (an old firmware may not answer).
	confirmWait = 500 * time.Millisecond
	// garbageLimit: this many bytes that are not the protocol mean another
	// device answers on the port. A real mBot sends nothing but its banner
	// and replies.
	garbageLimit = 64
	// garbageAfter: from this long after opening, a few bytes of noise and
	// nothing valid are enough to tell.
	garbageAfter = 2 * time.Second
	garbageSome  = 8
)

// Version request indices: bootIndex while waiting, confirmIndex once the
// banner came, so that the answer to the last request is known.
const (
	bootIndex    byte = 0xfa
	confirmIndex byte = 0xfb
)

// HandshakeFrame reports whether frame is one of the version requests that
// opening a link sends (see OpenSerial): what a robot receives is the
// program's frames plus these.
func HandshakeFrame(frame []byte) bool {
	return len(frame) == 6 && frame[4] == mblock.ActionGet && frame[5] == mblock.DevVersion &&
		(frame[3] == bootIndex || frame[3] == confirmIndex)
}

// openHandshake is the host's side of the handshake on a link just opened,
// as o says: none when o.BootWait is negative (the zero Board, no bytes),
// else awaitBoard for o.BootWait (0: DefaultBootWait). A link whose
// handshake fails is closed.
func openHandshake(l Link, name string, o Options) (Board, []byte, error) {
	if o.BootWait < 0 {
		return Board{}, nil, nil
	}
	wait := o.BootWait
	if wait == 0 {
		wait = DefaultBootWait
	}
	b, rest, err := awaitBoard(l, name, wait)
	if err != nil {
		l.Close()
		return Board{}, nil, err
	}
	return b, rest, nil
}

// awaitBoard waits, after l was opened, until the board listens: it asks
// for the firmware's version and reads until the answer comes, or until the
// boot banner comes and the answer to a request sent after it (the board
// restarted: opening a USB port resets it). It gives up after wait with
// ErrNoAnswer, or sooner with ErrNotMBot when what comes back is not the
// protocol. It returns the board and the bytes read past the handshake,
// which belong to the stream. Errors name the port (name).
func awaitBoard(l Link, name string, wait time.Duration) (b Board, rest []byte, err error) {
	defer l.SetReadTimeout(0)
	start := time.Now()
	var p mblock.Parser
	var seen []byte // the bytes fed to p, of which p may hold a tail
	valid := false  // something answered in the protocol
	var bannerAt time.Time
	ask := func(idx byte) error {
		if _, err := l.Write(mblock.Version(idx)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	if err := ask(bootIndex); err != nil {
		return b, nil, err
	}
	lastAsk := start
	buf := make([]byte, 256)
	for {
		now := time.Now()
		if bannerAt.IsZero() && now.Sub(lastAsk) >= askEvery {
			if err := ask(bootIndex); err != nil {
				return b, nil, err
			}
			lastAsk = now
		}
		if !bannerAt.IsZero() && now.Sub(bannerAt) >= confirmWait {
			b.Ready = now.Sub(start)
			return b, nil, nil // an old firmware that does not answer
		}
		if p.Garbage() >= garbageLimit || (now.Sub(start) >= garbageAfter && p.Garbage() >= garbageSome && !valid) {
			return b, nil, fmt.Errorf("%s: %w", name, ErrNotMBot)
		}
		if now.Sub(start) >= wait {
			if p.Garbage() > 0 && !valid {
				return b, nil, fmt.Errorf("%s: %w", name, ErrNotMBot)
			}
			if valid {
				b.Ready = now.Sub(start)
				return b, nil, nil // it speaks the protocol but tells no version
			}
			return b, nil, fmt.Errorf("%s: %w", name, ErrNoAnswer)
		}
		if err := l.SetReadTimeout(min(50*time.Millisecond, start.Add(wait).Sub(now)+time.Millisecond)); err != nil {
			return b, nil, fmt.Errorf("%s: %w", name, err)
		}
		n, err := l.Read(buf)
		if err != nil && !errors.Is(err, ErrTimeout) {
			return b, nil, err
		}
		seen = append(seen, buf[:n]...)
		if len(seen) > 4096 {
			seen = seen[len(seen)-512:]
		}
		for _, r := range p.Feed(buf[:n]) {
			switch {
			case r.Kind == mblock.Banner:
				b.Banner = r.Text
				b.Version = strings.TrimSpace(strings.TrimPrefix(r.Text, "Version:"))
				valid, bannerAt = true, time.Now()
				if err := ask(confirmIndex); err != nil {
					return b, nil, err
				}
			case r.Kind == mblock.Value && r.Type == mblock.TypeString && (r.Index == confirmIndex || r.Index == bootIndex && bannerAt.IsZero()):
				if r.Text != "" {
					b.Version = r.Text
				}
				b.Ready = time.Since(start)
				return b, seen[len(seen)-p.Buffered():], nil
			default:
				valid = true // an answer to a request sent before the banner, an ack, a button
			}
		}
	}
}

// FirmwareNote says in plain words what firmware version v means for
// drawing: "" for the mBlock firmware (06.01.1xx) and unknown versions
// ("" too), and for the factory program (06.01.009) that it draws, how to
// keep it drawing, and how to put mBlock's firmware on.
func FirmwareNote(v string) string {
	switch {
	case strings.HasPrefix(v, "06.01.0"):
		return "the factory program a new mBot comes with: it draws. Keep it in mode A (white lights, as it starts): " +
			"the on-board button and the remote's B and C keys make it drive by itself. " +
			"To put on the mBlock firmware instead: connect the mBot to mBlock with its USB cable and update its firmware " +
			"(mBlock 5: Update, under the device; mBlock 3: Connect > Upgrade Firmware)"
	case strings.HasPrefix(v, "0a."):
		return "this is an Orion board, not an mBot's mCore: its wiring differs, so drawings may not come out right"
	case v != "" && !strings.HasPrefix(v, "06."):
		return "a firmware this program does not know: if nothing moves, put on the mBlock firmware " +
			"(connect the mBot to mBlock with its USB cable and update its firmware)"
	}
	return ""
}

// Describe returns "mBot firmware 06.01.107", with what the firmware means
// for drawing when there is something to say (see FirmwareNote); "" for a
// board that told no version.
func (b Board) Describe() string {
	if b.Version == "" {
		return ""
	}
	s := "mBot firmware " + b.Version
	if n := FirmwareNote(b.Version); n != "" {
		s += " (" + n + ")"
	}
	return s
}
