package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/bridge"
)

// runMainEnv, when set, makes the test binary run the program's Main
// instead of the tests, so that commands that start this program again
// (loadtest --hostile) can be tested.
const runMainEnv = "MBOTDRAW_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Exit(Main(os.Args, nil))
	}
	os.Exit(m.Run())
}

// TestLoadtestAttackersRunInTheirOwnProcess: loadtest --hostile runs the
// hostile clients in a process of their own (loadtest --attack), as an
// attacker's would be, and its JSON has their figures and the bridge's
// own counts of whom it refused and closed. (No timing is asserted: the
// command's exit status, which depends on the round trip, is not checked.)
func TestLoadtestAttackersRunInTheirOwnProcess(t *testing.T) {
	t.Setenv(runMainEnv, "1")
	js := filepath.Join(t.TempDir(), "load.json")
	out, errs, _ := renderCmd(t, nil, "loadtest", "--clients", "5", "--rate", "30", "--seconds", "1.5",
		"--modes", "batched+deflate", "--hostile", "8", "--json", js)
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatalf("no JSON (%v); stdout %q, stderr %q", err, out, errs)
	}
	var rep bridge.LoadReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Modes) != 1 {
		t.Fatalf("%d modes, want 1", len(rep.Modes))
	}
	b := rep.Modes[0].Bridge
	h := b.Hostile
	if h == nil || !h.SeparateProcess || h.Clients != 8 || h.Connections == 0 || h.PeakRSSMB <= 0 {
		t.Errorf("hostile clients %+v: want 8 in a process of their own, connected, with its memory measured", h)
	}
	if st := b.ServerStats; st == nil || st.Accepted == 0 || st.RefusedEarly+st.RefusedAddr+st.ClosedAbuse+st.RateLimited == 0 {
		t.Errorf("bridge counts %+v: want connections accepted, and some refused, closed or limited", st)
	}
	if b.PeakRSSMB <= 0 || b.Lost+b.Duplicated+b.Reordered != 0 || b.Sent == 0 {
		t.Errorf("bridge run %+v: want its memory measured and every move acked once", b)
	}
	for _, want := range []string{"own process", "bridge refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table does not say %q:\n%s", want, out)
		}
	}
}

// TestLoadtestAttackUsage: --attack wants a WebSocket address.
func TestLoadtestAttackUsage(t *testing.T) {
	_, errs, st := renderCmd(t, nil, "loadtest", "--attack", "localhost:8765", "--seconds", "1")
	if st != 2 || !strings.Contains(errs, "WebSocket address") {
		t.Errorf("status %d, stderr %q; want 2 and a word about the address", st, errs)
	}
}
