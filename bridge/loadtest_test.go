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
	res, err := LoadTest(context.Background(), LoadOptions{Clients: 5, Rate: 30, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results, want 3 modes", len(res))
	}
	for _, r := range res {
		if r.Sent < 20 || r.Acked != r.Sent {
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
	// Compression shrinks the batched messages on the wire.
	if res[0].BytesOut >= res[2].BytesOut {
		t.Errorf("compressed %.0f B/s ≥ uncompressed %.0f B/s", res[0].BytesOut, res[2].BytesOut)
	}
}
