package perf

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

type traceFile struct {
	DisplayTimeUnit string            `json:"displayTimeUnit"`
	OtherData       map[string]string `json:"otherData"`
	TraceEvents     []struct {
		Ph   string         `json:"ph"`
		Pid  int            `json:"pid"`
		Tid  int            `json:"tid"`
		Name string         `json:"name"`
		Ts   float64        `json:"ts"`
		Dur  *float64       `json:"dur"`
		S    string         `json:"s"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
}

func parseTrace(t *testing.T, r *TraceRecorder) traceFile {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var f traceFile
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatalf("trace is not JSON: %v\n%.500s", err, buf.String())
	}
	return f
}

type wantFrame struct {
	tsMS      float64 // start since the first frame
	dur       time.Duration
	fps, heap float64
	strokes   int
	over      bool
}

// recordFrames records n back-to-back frames at 60 fps, every 10th over
// budget (and so starting the next one late), each with a "draw" phase
// inside it; half give their fps, half let the recorder compute it from the
// gap between frame starts.
func recordFrames(r *TraceRecorder, n int) []wantFrame {
	base := time.Now()
	var want []wantFrame
	t, gap := time.Duration(0), time.Duration(0)
	for i := range n {
		start := base.Add(t)
		dur := time.Duration(3_000_000 + i*1000)
		if i%10 == 0 {
			dur = 20 * time.Millisecond
		}
		f := TraceFrame{Start: start, Dur: dur, HeapMB: 10 + float64(i)/8, Strokes: 5 * i}
		w := wantFrame{tsMS: float64(t) / 1e6, dur: dur, heap: f.HeapMB, strokes: f.Strokes, over: dur > 16666666}
		if i%2 == 0 {
			f.FPS, w.fps = 59.5, 59.5
		} else {
			w.fps = 1e9 / float64(gap)
		}
		r.Slice(TidMain, "draw", start.Add(time.Millisecond), dur/2)
		r.Frame(f)
		want = append(want, w)
		gap = max(16666667, dur+time.Millisecond)
		t += gap
	}
	return want
}

// A trace parses as JSON, has one frame slice per frame recorded, counters
// equal to what was recorded, over-budget instants for the slow frames,
// phases nested in their frames, named threads, and the robot and
// WebSocket traffic of other goroutines on their own threads.
func TestTraceJSON(t *testing.T) {
	r := NewTraceRecorder(TraceOptions{Meta: map[string]string{"profile": "default", "drawing": "q\"uote"}})
	var wg sync.WaitGroup
	for g, tid := range []int{TidRobot, TidWebSocket} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				r.Slice(tid, "send", time.Now(), time.Millisecond)
				if i%10 == 0 {
					r.Instant(tid, "reconnect", fmt.Sprint("goroutine ", g))
				}
			}
		}()
	}
	want := recordFrames(r, 200)
	r.Counter("ws_queue_depth", 3)
	wg.Wait()

	f := parseTrace(t, r)
	if f.DisplayTimeUnit != "ms" || f.OtherData["profile"] != "default" || f.OtherData["drawing"] != `q"uote` {
		t.Errorf("header %q %v", f.DisplayTimeUnit, f.OtherData)
	}
	threads := map[int]string{}
	counters := map[string][]float64{}
	var frames, draws []int
	byTid := map[int]int{}
	over := 0
	lastTs := math.Inf(-1)
	for i, e := range f.TraceEvents {
		if e.Pid != 1 {
			t.Fatalf("event %d: pid %d", i, e.Pid)
		}
		if e.Ph == "M" {
			if e.Name == "thread_name" {
				threads[e.Tid] = e.Args["name"].(string)
			}
			continue
		}
		if e.Ts < 0 || e.Ts < lastTs {
			t.Fatalf("event %d (%s %s): ts %v after %v", i, e.Ph, e.Name, e.Ts, lastTs)
		}
		lastTs = e.Ts
		byTid[e.Tid]++
		switch {
		case e.Ph == "X" && e.Name == "frame":
			n := int(e.Args["n"].(float64))
			w := want[n]
			if e.Tid != TidMain || e.Dur == nil || math.Abs(*e.Dur-float64(w.dur)/1e3) > 1e-3 {
				t.Errorf("frame %d: tid %d dur %v, want %v", n, e.Tid, e.Dur, w.dur)
			}
			frames = append(frames, i)
		case e.Ph == "X" && e.Name == "draw":
			fr := f.TraceEvents[frames[len(frames)-1]]
			if e.Ts < fr.Ts || e.Ts+*e.Dur > fr.Ts+*fr.Dur {
				t.Errorf("draw phase [%v,+%v] outside its frame [%v,+%v]", e.Ts, *e.Dur, fr.Ts, *fr.Dur)
			}
			draws = append(draws, i)
		case e.Ph == "C":
			if len(e.Args) != 1 {
				t.Errorf("counter %s args %v", e.Name, e.Args)
			}
			counters[e.Name] = append(counters[e.Name], e.Args[e.Name].(float64))
		case e.Ph == "i" && e.Name == "over_budget":
			over++
			if e.S != "t" {
				t.Errorf("instant scope %q", e.S)
			}
		}
	}
	if threads[TidMain] == "" || threads[TidRobot] != "robot" || threads[TidWebSocket] != "websocket" {
		t.Errorf("thread names %v", threads)
	}
	if len(frames) != 200 || len(draws) != 200 {
		t.Fatalf("%d frame slices and %d draw phases, want 200 each", len(frames), len(draws))
	}
	for i, w := range want {
		if got := counters["frame_ms"][i]; got != float64(w.dur)/1e6 {
			t.Errorf("frame %d: frame_ms counter %v, want %v", i, got, float64(w.dur)/1e6)
		}
		if got := counters["fps"][i]; math.Abs(got-w.fps) > 1e-6 {
			t.Errorf("frame %d: fps counter %v, want %v", i, got, w.fps)
		}
		if got := counters["heap_mb"][i]; got != w.heap {
			t.Errorf("frame %d: heap_mb %v, want %v", i, got, w.heap)
		}
		if got := counters["strokes"][i]; got != float64(w.strokes) {
			t.Errorf("frame %d: strokes %v, want %v", i, got, w.strokes)
		}
	}
	if over != 20 {
		t.Errorf("%d over_budget instants, want 20", over)
	}
	// Overlapping round trips spread over lanes of their thread: "robot 2", ...
	byThread := map[int]int{}
	for tid, n := range byTid {
		base := tid
		if tid >= traceLanes {
			base = tid / traceLanes
			if want := threads[base] + " " + strconv.Itoa(tid%traceLanes+1); threads[tid] != want {
				t.Errorf("lane %d named %q, want %q", tid, threads[tid], want)
			}
		}
		byThread[base] += n
	}
	if byThread[TidRobot] != 55 || byThread[TidWebSocket] != 55 {
		t.Errorf("events by thread %v: want 55 robot and 55 websocket", byThread)
	}
	checkNesting(t, f)
	if got := counters["ws_queue_depth"]; len(got) != 1 || got[0] != 3 {
		t.Errorf("extra counter %v", got)
	}
}

// checkNesting fails when X slices on one thread overlap without nesting,
// which Perfetto would move to an overflow track.
func checkNesting(t *testing.T, f traceFile) {
	t.Helper()
	open := map[int][]float64{} // tid → stack of slice ends, µs
	for _, e := range f.TraceEvents {
		if e.Ph != "X" {
			continue
		}
		st := open[e.Tid]
		for len(st) > 0 && st[len(st)-1] <= e.Ts {
			st = st[:len(st)-1]
		}
		end := e.Ts + *e.Dur
		if len(st) > 0 && end > st[len(st)-1]+0.0015 {
			t.Fatalf("tid %d: slice %s [%.3f, %.3f] overlaps its parent ending %.3f", e.Tid, e.Name, e.Ts, end, st[len(st)-1])
		}
		open[e.Tid] = append(st, end)
	}
}

// Overlapping slices on one thread go to lanes where they nest; nested ones
// stay on the thread.
func TestTraceLanes(t *testing.T) {
	r := NewTraceRecorder(TraceOptions{})
	base := time.Now()
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	r.Slice(TidWebSocket, "a", at(0), 10*time.Millisecond)
	r.Slice(TidWebSocket, "a-child", at(2), 3*time.Millisecond)
	r.Slice(TidWebSocket, "b", at(5), 10*time.Millisecond)  // overlaps a: lane 2
	r.Slice(TidWebSocket, "c", at(7), 10*time.Millisecond)  // overlaps a and b: lane 3
	r.Slice(TidWebSocket, "d", at(12), 10*time.Millisecond) // a is over: lane 1
	// A phase sticking out of its frame moves off the frames' track.
	r.Slice(TidMain, "inside", at(301), time.Millisecond)
	r.Slice(TidMain, "straddles", at(304), 2*time.Millisecond)
	r.Frame(TraceFrame{Start: at(300), Dur: 5 * time.Millisecond})
	f := parseTrace(t, r)
	checkNesting(t, f)
	tidOf := map[string]int{}
	for _, e := range f.TraceEvents {
		if e.Ph == "X" {
			tidOf[e.Name] = e.Tid
		}
	}
	want := map[string]int{"a": 3, "a-child": 3, "b": 301, "c": 302, "d": 3, "frame": 1, "inside": 1, "straddles": 101}
	for name, tid := range want {
		if tidOf[name] != tid {
			t.Errorf("slice %s on tid %d, want %d", name, tidOf[name], tid)
		}
	}
	// 150 slices all overlapping: lanes run out at the cap.
	r = NewTraceRecorder(TraceOptions{})
	for i := range 150 {
		r.Slice(TidRobot, "r", at(100+i), time.Second)
	}
	robotTids := map[int]bool{}
	for _, e := range parseTrace(t, r).TraceEvents {
		if e.Ph == "X" {
			robotTids[e.Tid] = true
		}
	}
	if len(robotTids) != traceLanes {
		t.Errorf("150 overlapping robot slices on %d tracks, want the %d-lane cap", len(robotTids), traceLanes)
	}
}

func TestTraceCSV(t *testing.T) {
	r := NewTraceRecorder(TraceOptions{})
	want := recordFrames(r, 30)
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 31 || fmt.Sprint(rows[0]) != "[frame ts_ms frame_ms fps heap_mb strokes over_budget]" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	ts0 := 0.0
	for i, w := range want {
		row := rows[i+1]
		num := func(c int) float64 {
			v, err := strconv.ParseFloat(row[c], 64)
			if err != nil {
				t.Fatalf("row %d col %d: %v", i, c, err)
			}
			return v
		}
		ts := w.tsMS
		if i == 0 {
			ts0 = num(1) // the recorder's zero is a moment before the first frame
		}
		if num(0) != float64(i) || math.Abs(num(1)-ts0-ts) > 0.002 || num(2) != float64(w.dur)/1e6 ||
			math.Abs(num(3)-w.fps) > 1e-6 || num(4) != w.heap || num(5) != float64(w.strokes) || row[6] != strconv.FormatBool(w.over) {
			t.Errorf("row %d = %v, want ts %.3f %+v", i, row, ts, w)
		}
	}
}

// The trace keeps only the last Frames frames and Events other events.
func TestTraceRingBound(t *testing.T) {
	r := NewTraceRecorder(TraceOptions{Frames: 50, Events: 20})
	for i := range 500 {
		r.Instant(TidMain, "tick", "")
		r.Frame(TraceFrame{Dur: time.Millisecond, Strokes: i})
	}
	if r.Frames() != 500 || r.Kept() != 50 {
		t.Errorf("Frames %d Kept %d", r.Frames(), r.Kept())
	}
	f := parseTrace(t, r)
	var ns []int
	ticks := 0
	for _, e := range f.TraceEvents {
		switch {
		case e.Ph == "X" && e.Name == "frame":
			ns = append(ns, int(e.Args["n"].(float64)))
		case e.Name == "tick":
			ticks++
		}
	}
	if len(ns) != 50 || ns[0] != 450 || ns[49] != 499 {
		t.Errorf("kept frames %d, first %v", len(ns), ns[:min(3, len(ns))])
	}
	if ticks > 20 || ticks == 0 {
		t.Errorf("%d instants kept, want 1..20", ticks)
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if rows, _ := csv.NewReader(&buf).ReadAll(); len(rows) != 51 || rows[1][0] != "450" {
		t.Errorf("CSV %d rows, first %v", len(rows), rows[1])
	}
	if len(r.frames) != 50 || len(r.events) != 20 {
		t.Errorf("memory: %d frames and %d events held", len(r.frames), len(r.events))
	}
}

func TestTraceEmptyAndWriteError(t *testing.T) {
	r := NewTraceRecorder(TraceOptions{})
	f := parseTrace(t, r)
	if len(f.TraceEvents) != 7 { // process name + 3 threads × (name, sort index)
		t.Errorf("empty trace has %d events", len(f.TraceEvents))
	}
	recordFrames(r, 400)
	if err := r.WriteJSON(failWriter{}); err == nil {
		t.Error("a failing writer gave no error")
	}
	if err := r.WriteCSV(failWriter{}); err == nil {
		t.Error("a failing writer gave no error (CSV)")
	}
}

func TestTraceNilRecorderRecordsNothing(t *testing.T) {
	var r *TraceRecorder
	r.Frame(TraceFrame{Dur: time.Millisecond})
	r.Slice(TidRobot, "x", time.Now(), time.Millisecond)
	r.Instant(TidMain, "x", "")
	r.Counter("x", 1)
	r.NameThread(9, "x")
	var p Profiler
	p.SetTrace(r, TidMain)
	p.Start("x").Stop()
	m := NewMonitor(MonitorOptions{})
	m.SetTrace(r)
	m.RecordWebSocket(time.Millisecond)
	if r.Frames() != 0 || r.Kept() != 0 {
		t.Error("a nil recorder counted frames")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// FuzzTraceJSON: whatever names, details and metadata a trace carries (a
// drawing's name, an alert's text), the trace is valid JSON and they read
// back as given (invalid UTF-8 as valid UTF-8).
func FuzzTraceJSON(f *testing.F) {
	for _, s := range []string{"", "frame", "a\"b\\c\n\t\r", "\x00\x1f\x7f", "ü→😀", "\xff\xfe", "optimizer: antialias on→off", "\u2028</script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := NewTraceRecorder(TraceOptions{Process: s, Meta: map[string]string{s: s}})
		r.NameThread(7, s)
		r.Instant(TidMain, s, s)
		r.Counter(s, 1)
		f := parseTrace(t, r)
		valid := utf8.ValidString(s)
		if valid && f.OtherData[s] != s {
			t.Fatalf("metadata %q read back as %v", s, f.OtherData)
		}
		var instant bool
		for _, e := range f.TraceEvents {
			if e.Ph != "i" || e.Name == "over_budget" {
				continue
			}
			instant = true
			if !utf8.ValidString(e.Name) || valid && (e.Name != s || s != "" && e.Args["detail"] != s) {
				t.Fatalf("instant %q read back as %q %v", s, e.Name, e.Args)
			}
		}
		if !instant {
			t.Fatalf("instant %q is missing", s)
		}
	})
}

// BenchmarkTraceFrame is the cost of recording one frame.
func BenchmarkTraceFrame(b *testing.B) {
	r := NewTraceRecorder(TraceOptions{})
	b.ReportAllocs()
	for b.Loop() {
		r.Frame(TraceFrame{Dur: time.Millisecond, HeapMB: 20, Strokes: 100})
	}
}

// BenchmarkTraceWriteJSON writes a full default trace (10,000 frames, each
// with four phases, and 80,000 other events) and reports its size.
func BenchmarkTraceWriteJSON(b *testing.B) {
	r := NewTraceRecorder(TraceOptions{})
	base := time.Now()
	for i := range DefaultTraceFrames {
		start := base.Add(time.Duration(i) * 16666667)
		for _, ph := range []string{"update", "cursor", "bake", "compose"} {
			r.Slice(TidMain, ph, start, time.Millisecond)
		}
		r.Slice(TidWebSocket, "ws round trip", start, time.Millisecond)
		r.Slice(TidRobot, "robot frame", start, time.Millisecond)
		r.Instant(TidMain, "alert: frame", "frame p95 17.0ms > budget 16.7ms")
		r.Counter("ws_queue_depth", 4)
		r.Frame(TraceFrame{Start: start, Dur: 20 * time.Millisecond, HeapMB: 31.25, Strokes: i})
	}
	var n countWriter
	b.ReportAllocs()
	for b.Loop() {
		n = 0
		if err := r.WriteJSON(&n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/1e6, "MB")
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
