package bridge

import (
	"context"
	"testing"
	"time"
)

// TestLoadTestChecksEveryMessage runs the load test small: it must count
// every message and find none lost, duplicated or reordered. (The real
// figures come from `mbotdraw loadtest`; no timing is asserted here.)
func TestLoadTestChecksEveryMessage(t *testing.T) {
	rep, err := LoadTest(context.Background(), LoadOptions{Clients: 5, Rate: 30, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var res []LoadResult
	for _, m := range rep.Modes {
		res = append(res, m.Bridge)
	}
	if len(res) != 3 {
		t.Fatalf("%d results, want 3 modes", len(res))
	}
	for _, r := range res {
		if r.Sent == 0 || r.Acked != r.Sent {
			t.Errorf("%s: sent %d, acked %d", r.Mode.Name, r.Sent, r.Acked)
		}
		if r.Lost+r.Duplicated+r.Reordered != 0 || r.ServerMismatch != 0 || r.Errors != 0 {
			t.Errorf("%s: lost %d, duplicated %d, reordered %d, server mismatches %d, errors %d",
				r.Mode.Name, r.Lost, r.Duplicated, r.Reordered, r.ServerMismatch, r.Errors)
		}
		wantPerMsg := uint64(16)
		if !r.Mode.Batching {
			wantPerMsg = 1
		}
		if r.Moves != r.Sent*wantPerMsg {
			t.Errorf("%s: %d moves in %d messages, want %d each", r.Mode.Name, r.Moves, r.Sent, wantPerMsg)
		}
		if r.RTT.P99 <= 0 {
			t.Errorf("%s: no round trips measured", r.Mode.Name)
		}
	}
	// Compression shrinks the batched messages on the wire. Compare bytes
	// per move, not per second: a loaded machine sends fewer messages in
	// one mode than in another.
	perMove := func(r LoadResult) float64 { return r.BytesOut * r.Seconds / float64(r.Moves) }
	if c, u := perMove(res[0]), perMove(res[2]); c >= u {
		t.Errorf("compressed %.1f bytes a move ≥ uncompressed %.1f", c, u)
	}
}

// TestLoadTestBaselineAndHostile runs the baseline beside the bridge and the
// hostile clients beside the well-behaved: the well-behaved clients' moves
// must all arrive, once, in order, at both servers, and the hostile clients
// must have been refused or closed. (No timing is asserted.)
func TestLoadTestBaselineAndHostile(t *testing.T) {
	rep, err := LoadTest(context.Background(), LoadOptions{Clients: 5, Rate: 30, Duration: time.Second,
		Modes: DefaultLoadModes()[:1], Baseline: true, Hostile: 8})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Modes[0]
	if m.Baseline == nil || m.Ratio == nil {
		t.Fatalf("no baseline in %+v", m)
	}
	for _, r := range []LoadResult{m.Bridge, *m.Baseline} {
		if r.Sent < 10 || r.Acked != r.Sent || r.Lost+r.Duplicated+r.Reordered != 0 || r.ServerMismatch != 0 {
			t.Errorf("%s: sent %d, acked %d, lost %d, duplicated %d, reordered %d, server mismatches %d",
				r.Server, r.Sent, r.Acked, r.Lost, r.Duplicated, r.Reordered, r.ServerMismatch)
		}
	}
	h := m.Bridge.Hostile
	if h == nil || h.Connections == 0 || h.Refused+h.Closed == 0 {
		t.Errorf("hostile clients %+v: want connections, and some refused or closed", h)
	}
	if m.Bridge.StatePerClient <= 0 {
		t.Error("no state or progress messages counted")
	}
}
