package bridge

import (
	"context"
	"strings"
	"testing"
	"time"

	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
)

// A bridge's token travels as a header and never shows on screen.
func TestSplitToken(t *testing.T) {
	for _, tc := range [][3]string{
		{"ws://h:1/robot?token=T", "ws://h:1/robot", "T"},
		{"ws://h:1/robot", "ws://h:1/robot", ""},
		{"wss://h/robot?x=1&token=T", "wss://h/robot?x=1", "T"},
	} {
		if u, tok := splitToken(tc[0]); u != tc[1] || tok != tc[2] {
			t.Errorf("splitToken(%q) = %q, %q; want %q, %q", tc[0], u, tok, tc[1], tc[2])
		}
		if u := WithoutToken(tc[0]); u != tc[1] {
			t.Errorf("WithoutToken(%q) = %q, want %q", tc[0], u, tc[1])
		}
	}
}

// lostRobot loses its link at the first move and never gets it back: it
// redials until cancelled, as a bridge's driver does.
type lostRobot struct{}

func (lostRobot) Run(ctx context.Context, moves []wire.Move, report func(RobotEvent)) error {
	report(RobotEvent{Lost: true})
	<-ctx.Done()
	return ctx.Err()
}

func (lostRobot) Stop(context.Context) error { return nil }

// A plot through a bridge whose robot is lost for good ends, after the
// reconnect time, with an error that says so: it does not wait for ever.
func TestRemoteGivesUpOnALostRobot(t *testing.T) {
	_, srv := newTestServer(t, lostRobot{}, Options{})
	r := NewRemote(wsURL(srv, "/robot"), zigzagProgram(t), ClientOptions{RetryFor: 500 * time.Millisecond}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := r.Run(ctx)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "lost") || !strings.Contains(err.Error(), "plugged in") {
		t.Fatalf("Run = %v (context: %v), want a plain error about the lost robot before the test's own timeout", err, ctx.Err())
	}
	if p := r.Progress(); p.State != robot.StateStopped {
		t.Errorf("state after giving up: %v, want stopped", p.State)
	}
}
