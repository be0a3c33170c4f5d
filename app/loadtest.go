package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mbotdraw/bridge"
)

// runLoadtest loads a bridge (or any server, --url) on loopback with many
// WebSocket clients and reports round trips and message integrity, side by
// side for batching on, batching off and compression off; with --baseline,
// side by side with a minimal WebSocket server in the same run; with
// --hostile, while hostile clients attack the server.
func runLoadtest(env *Env, args []string) error {
	fs := newFlags(env, "loadtest")
	clients := fs.Int("clients", 100, "number of well-behaved WebSocket clients")
	rate := fs.Float64("rate", 60, "messages each client sends per second")
	seconds := fs.Float64("seconds", 30, "length of each mode's run, in seconds (at most 600)")
	batch := fs.Int("batch", 16, "moves per message when batching is on (10 to 20 in the profiles)")
	modes := fs.String("modes", "all", "comma-separated: batched+deflate, unbatched, uncompressed; or all")
	url := fs.String("url", "", "load this server (ws://HOST:PORT/robot, with ?token=T if it needs one) instead of a bridge started here")
	baseline := fs.Bool("baseline", false, "run the same load at the same time against a minimal WebSocket server and print the ratio")
	hostile := fs.Int("hostile", 0, "also run this many hostile clients (flooding, never reading, huge messages, vanishing jobs), e.g. 20")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	attack := fs.String("attack", "", "only run the hostile clients (--hostile, 20 if not given) against this server (ws://HOST:PORT/robot) for --seconds and print their figures as JSON; --hostile runs them so, in a process of their own")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	if *clients < 1 || *clients > 2000 || !(*rate > 0) || *rate > 1000 || !(*seconds > 0) || *seconds > 600 || *batch < 1 || *batch > 4096 || *hostile < 0 || *hostile > 1000 {
		return usagef("loadtest: want 1–2000 --clients, --rate up to 1000, --seconds up to 600, --batch 1–4096, --hostile up to 1000")
	}
	if *url != "" && !bridge.IsURL(*url) {
		return usagef("loadtest: --url %q is not a WebSocket address (ws://HOST:PORT/robot)", *url)
	}
	if *attack != "" {
		return runAttack(env, *attack, *hostile, *seconds)
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
		BatchSize: *batch, Modes: sel, URL: *url, Baseline: *baseline, Hostile: *hostile}
	if *hostile > 0 {
		// The attackers run in a process of their own, as they would in a
		// classroom (another program, another computer): in this one they
		// would share the bridge's Go scheduler and garbage collector,
		// which no attacker can.
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("loadtest: cannot start the hostile clients: cannot tell where this program is: %w", err)
		}
		o.HostileProcess = func(ctx context.Context, url string, n int, d time.Duration) *exec.Cmd {
			cmd := exec.CommandContext(ctx, self, "loadtest", "--attack", url, "--hostile", strconv.Itoa(n),
				"--seconds", strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
			cmd.WaitDelay = 5 * time.Second
			return cmd
		}
	}
	n := len(sel)
	if n == 0 {
		n = len(bridge.DefaultLoadModes())
	}
	runs := n
	target := "a bridge on loopback"
	if *url != "" {
		target = *url
	}
	fmt.Fprintf(env.Stderr, "loadtest: %d clients × %g messages/s for %gs against %s, %d run(s); about %.0f s\n",
		*clients, *rate, *seconds, target, runs, float64(runs)*(*seconds+2))
	rep, err := bridge.LoadTest(env.Ctx, o)
	if len(rep.Modes) > 0 {
		printLoad(env.Stdout, rep)
	}
	if err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}); err != nil {
			return err
		}
	}
	var failed []string
	for _, m := range rep.Modes {
		if why := loadVerdict(m, *url == ""); why != "" {
			failed = append(failed, m.Mode+": "+why)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("loadtest: %s", strings.Join(failed, "; "))
	}
	return nil
}

// runAttack runs n hostile clients (0: 20) against the server at url for
// seconds and prints their figures as JSON on standard output.
func runAttack(env *Env, url string, n int, seconds float64) error {
	if !bridge.IsURL(url) {
		return usagef("loadtest: --attack %q is not a WebSocket address (ws://HOST:PORT/robot)", url)
	}
	if n == 0 {
		n = 20
	}
	ctx, cancel := context.WithTimeout(env.Ctx, time.Duration(seconds*float64(time.Second)))
	defer cancel()
	r := bridge.RunHostile(ctx, url, n)
	return json.NewEncoder(env.Stdout).Encode(r)
}

// Thresholds the load test holds a bridge to, beside bridge.LoadBudget.
const (
	maxBaselineRatio = 1.5 // round trip p50 and p99 over the baseline's
	maxStatePerS     = 20  // state and progress messages per client per second
	maxHostileRSSMB  = 150 // the process's peak RSS with hostile clients
)

// loadVerdict says what a mode missed, or "" when it passed. local is set
// when the bridge ran in this process (its memory is measured).
func loadVerdict(m bridge.ModeReport, local bool) string {
	b := m.Bridge
	var why []string
	if !b.Pass {
		why = append(why, fmt.Sprintf("round trip p99 over %v, or messages lost, duplicated or reordered", bridge.LoadBudget))
	}
	if b.StatePerClient > maxStatePerS {
		why = append(why, fmt.Sprintf("%.1f state and progress messages per client per second (at most %d)", b.StatePerClient, maxStatePerS))
	}
	if r := m.Ratio; r != nil && (r.P50 > maxBaselineRatio || r.P99 > maxBaselineRatio) {
		why = append(why, fmt.Sprintf("round trip %.2f× (p50) and %.2f× (p99) the baseline's (at most %g×)", r.P50, r.P99, maxBaselineRatio))
	}
	if b.Hostile != nil && local && b.PeakRSSMB > maxHostileRSSMB {
		why = append(why, fmt.Sprintf("peak memory %.0f MB under attack (at most %d MB)", b.PeakRSSMB, maxHostileRSSMB))
	}
	return strings.Join(why, ", ")
}

func printLoad(w io.Writer, rep bridge.LoadReport) {
	type col struct {
		name string
		r    bridge.LoadResult
	}
	var cols []col
	for _, m := range rep.Modes {
		cols = append(cols, col{m.Mode, m.Bridge})
		if m.Baseline != nil {
			cols = append(cols, col{m.Mode + " baseline", *m.Baseline})
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(r bridge.LoadResult) string) {
		fmt.Fprintf(tw, "%s\t", name)
		for _, c := range cols {
			fmt.Fprintf(tw, "%s\t", f(c.r))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprint(tw, "mode\t")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s\t", c.name)
	}
	fmt.Fprintln(tw)
	row("server", func(r bridge.LoadResult) string { return r.Server })
	row("clients", func(r bridge.LoadResult) string { return fmt.Sprint(r.Clients) })
	row("seconds", func(r bridge.LoadResult) string { return fmt.Sprintf("%.1f", r.Seconds) })
	row("messages/s", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.MsgRate) })
	row("moves/s", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.MoveRate) })
	row("sent", func(r bridge.LoadResult) string { return fmt.Sprint(r.Sent) })
	row("acked", func(r bridge.LoadResult) string { return fmt.Sprint(r.Acked) })
	row("lost", func(r bridge.LoadResult) string { return fmt.Sprint(r.Lost) })
	row("duplicated", func(r bridge.LoadResult) string { return fmt.Sprint(r.Duplicated) })
	row("reordered", func(r bridge.LoadResult) string { return fmt.Sprint(r.Reordered) })
	row("server job ≠ sent", func(r bridge.LoadResult) string { return fmt.Sprint(r.ServerMismatch) })
	row("errors", func(r bridge.LoadResult) string { return fmt.Sprint(r.Errors) })
	row("state+progress /client/s", func(r bridge.LoadResult) string { return fmt.Sprintf("%.1f", r.StatePerClient) })
	row("rtt p50 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.P50) })
	row("rtt p95 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.P95) })
	row("rtt p99 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.P99) })
	row("rtt max ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.RTT.Max) })
	row("ping p99 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.Ping.P99) })
	row("bridge ping p99 ms", func(r bridge.LoadResult) string { return fmt.Sprintf("%.3f", r.ServerPing.P99) })
	row("client KB/s out", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.BytesOut/1024) })
	row("client KB/s in", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.BytesIn/1024) })
	row("process peak RSS MB", func(r bridge.LoadResult) string { return fmt.Sprintf("%.0f", r.PeakRSSMB) })
	row("hostile clients", func(r bridge.LoadResult) string { return hostileCell(r.Hostile) })
	row("bridge refused (accept/upgrade)", func(r bridge.LoadResult) string {
		if st := r.ServerStats; st != nil {
			return fmt.Sprintf("%d/%d", st.RefusedEarly, st.Refused+st.RefusedAddr)
		}
		return "-"
	})
	row("bridge closed (flood/slow/big)", func(r bridge.LoadResult) string {
		if st := r.ServerStats; st != nil {
			return fmt.Sprintf("%d/%d/%d", st.ClosedAbuse, st.ClosedSlow, st.ClosedTooBig)
		}
		return "-"
	})
	row("p99 ≤ 5 ms, intact", func(r bridge.LoadResult) string {
		if r.Pass {
			return "PASS"
		}
		return "FAIL"
	})
	tw.Flush()
	for _, m := range rep.Modes {
		if m.Ratio != nil {
			fmt.Fprintf(w, "%s: bridge round trip %.2f× the baseline's at p50, %.2f× at p99\n", m.Mode, m.Ratio.P50, m.Ratio.P99)
		}
	}
}

func hostileCell(h *bridge.HostileResult) string {
	if h == nil {
		return "-"
	}
	where := "in this process"
	if h.SeparateProcess {
		where = fmt.Sprintf("own process, peak RSS %.0f MB", h.PeakRSSMB)
	}
	return fmt.Sprintf("%d (%s): %d conns, %d refused, %d closed, %d jobs, %.0f MB", h.Clients, where, h.Connections, h.Refused, h.Closed, h.Jobs, h.MB)
}
