package app

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"mbotdraw/bridge"
)

// runLoadtest loads a bridge on loopback with many WebSocket clients and
// reports round trips and message integrity, side by side for batching on,
// batching off and compression off.
func runLoadtest(env *Env, args []string) error {
	fs := newFlags(env, "loadtest")
	clients := fs.Int("clients", 100, "number of WebSocket clients")
	rate := fs.Float64("rate", 60, "messages each client sends per second")
	seconds := fs.Float64("seconds", 30, "length of each mode's run, in seconds (at most 600)")
	batch := fs.Int("batch", 16, "moves per message when batching is on (10 to 20 in the profiles)")
	modes := fs.String("modes", "all", "comma-separated: batched+deflate, unbatched, uncompressed; or all")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	if *clients < 1 || *clients > 2000 || !(*rate > 0) || *rate > 1000 || !(*seconds > 0) || *seconds > 600 || *batch < 1 || *batch > 4096 {
		return usagef("loadtest: want 1–2000 --clients, --rate up to 1000, --seconds up to 600, --batch 1–4096")
	}
	var sel []bridge.LoadMode
	if *modes != "all" {
		known := map[string]bridge.LoadMode{}
		for _, m := range bridge.DefaultLoadModes() {
			known[m.Name] = m
		}
		for _, name := range strings.Split(*modes, ",") {
			m, ok := known[strings.TrimSpace(name)]
			if !ok {
				return usagef("loadtest: unknown mode %q (want batched+deflate, unbatched, uncompressed or all)", name)
			}
			sel = append(sel, m)
		}
	}
	o := bridge.LoadOptions{Clients: *clients, Rate: *rate, Duration: time.Duration(*seconds * float64(time.Second)),
		BatchSize: *batch, Modes: sel}
	n := len(sel)
	if n == 0 {
		n = len(bridge.DefaultLoadModes())
	}
	fmt.Fprintf(env.Stderr, "loadtest: %d clients × %g messages/s for %gs on loopback, %d mode(s); about %.0f s\n",
		*clients, *rate, *seconds, n, float64(n)*(*seconds+2))
	res, err := bridge.LoadTest(env.Ctx, o)
	if len(res) > 0 {
		printLoad(env.Stdout, res)
	}
	if err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"budget_p99_ms": float64(bridge.LoadBudget) / 1e6, "results": res})
		}); err != nil {
			return err
		}
	}
	var failed []string
	for _, r := range res {
		if !r.Pass {
			failed = append(failed, r.Mode.Name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("loadtest: %s over the %v p99 budget or lost, duplicated or reordered messages", strings.Join(failed, ", "), bridge.LoadBudget)
	}
	return nil
}

func printLoad(w io.Writer, res []bridge.LoadResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(r bridge.LoadResult) string) {
		fmt.Fprintf(tw, "%s\t", name)
		for _, r := range res {
			fmt.Fprintf(tw, "%s\t", f(r))
		}
		fmt.Fprintln(tw)
	}
	row("mode", func(r bridge.LoadResult) string { return r.Mode.Name })
	row("clients", func(r bridge.LoadResult) string { return fmt.Sprint(r.Clients) })
	row("seconds", func(r bridge.LoadResult) string { return fmt.Sprintf("%.1f", r.Seconds) })
	row("messages/s", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.MsgRate) })
	row("moves/s", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.MoveRate) })
	row("sent", func(r bridge.LoadResult) string { return fmt.Sprint(r.Sent) })
	row("acked", func(r bridge.LoadResult) string { return fmt.Sprint(r.Acked) })
	row("lost", func(r bridge.LoadResult) string { return fmt.Sprint(r.Lost) })
	row("duplicated", func(r bridge.LoadResult) string { return fmt.Sprint(r.Duplicated) })
	row("reordered", func(r bridge.LoadResult) string { return fmt.Sprint(r.Reordered) })
	row("bridge job ≠ sent", func(r bridge.LoadResult) string { return fmt.Sprint(r.ServerMismatch) })
	row("errors", func(r bridge.LoadResult) string { return fmt.Sprint(r.Errors) })
	row("rtt p50 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.P50) })
	row("rtt p95 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.P95) })
	row("rtt p99 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.P99) })
	row("rtt max ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.Max) })
	row("ping p99 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.Ping.P99) })
	row("bridge ping p99 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.ServerPing.P99) })
	row("client KB/s out", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.BytesOut/1024) })
	row("client KB/s in", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.BytesIn/1024) })
	row("p99 ≤ 5 ms, intact", func(r bridge.LoadResult) string {
		if r.Pass {
			return "PASS"
		}
		return "FAIL"
	})
	tw.Flush()
}
