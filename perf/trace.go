package perf

import (
	"bufio"
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"mbotdraw/jsonstring"
)

// Trace threads (the tid of each event). Frames and their phases are on
// TidMain; robot and WebSocket traffic each have their own track.
const (
	TidMain      = 1
	TidRobot     = 2
	TidWebSocket = 3
)

// traceLanes is the most lanes (tracks) a thread's overlapping slices are
// spread over; lane k of thread t is written as tid t*traceLanes+k.
const traceLanes = 100

// Default trace bounds.
const (
	// DefaultTraceFrames is the number of most recent frames a trace keeps:
	// 10,000 frames, 2 min 47 s at 60 fps.
	DefaultTraceFrames = 10000
	// DefaultTraceEventsPerFrame sizes the ring of other events (phases,
	// instants, robot and WebSocket slices, extra counters): 8 per frame
	// kept, 80,000 by default.
	DefaultTraceEventsPerFrame = 8
)

// TraceOptions configure a TraceRecorder; each zero field means its default.
type TraceOptions struct {
	// Frames is how many of the most recent frames are kept (default 10,000).
	Frames int
	// Events is how many of the most recent other events are kept
	// (default 8 per kept frame).
	Events int
	// Budget is the frame time above which a frame is over budget and gets
	// an "over_budget" instant (default 16.67 ms, 60 fps).
	Budget time.Duration
	// Process names the process track (default "mbotdraw").
	Process string
	// Meta is written as the trace's otherData (drawing, profile, backend...).
	Meta map[string]string
}

// TraceFrame is one frame as the frame loop reports it.
type TraceFrame struct {
	// Start is when the frame's work began (zero: now − Dur).
	Start time.Time
	// Dur is the frame's whole work time.
	Dur time.Duration
	// FPS is the frame rate to chart; 0 means 1 s over the time since the
	// previous frame's start (or over Dur for the first frame).
	FPS float64
	// HeapMB is the heap in MB (e.g. perf.HeapMB()), Strokes the strokes
	// revealed so far.
	HeapMB  float64
	Strokes int
}

type traceFrame struct {
	n          int
	start, dur int64 // ns since monoEpoch
	fps, heap  float64
	strokes    int
	over       bool
}

type traceEvent struct {
	ph         byte // 'X', 'i', 'C'
	tid        int32
	name       string
	detail     string // instants: args.detail
	start, dur int64  // ns since monoEpoch
	val        float64
}

// TraceRecorder records a frame-rate trace and writes it as Chrome trace
// event JSON, which Perfetto (ui.perfetto.dev) and chrome://tracing open, or
// as CSV with one row per frame.
//
// Per frame it writes an X slice "frame" on TidMain, counters fps,
// frame_ms, heap_mb and strokes, and an "over_budget" instant when the
// frame exceeds the budget. Other events — profiler phases (X, nested in
// their frame), instants (alerts, optimizer changes, robot reconnects),
// robot and WebSocket slices on their own threads, extra counters — go to a
// second ring. Threads are named with M events. Slices on one thread that
// overlap without nesting (round trips of concurrent WebSocket clients) are
// spread over extra lanes of that thread ("websocket 2", ...; at most 100).
//
// Size is bounded: the last Frames frames (default 10,000) and the last
// Events other events (default 80,000); older ones are dropped, and the
// JSON starts at the oldest frame kept. With the defaults that is at most
// about 6 MB of memory and, with event names of usual length, about 13 MB
// of JSON (BenchmarkTraceWriteJSON fills both rings and reports the size).
// It is safe for concurrent use: the robot driver and the WebSocket server
// record from their own goroutines.
type TraceRecorder struct {
	mu      sync.Mutex
	opts    TraceOptions
	origin  int64
	frames  []traceFrame
	fhead   int // index of the oldest frame once the ring is full
	nframes int // frames recorded in all
	events  []traceEvent
	ehead   int
	threads map[int]string
	prev    int64 // start of the previous frame, for fps
}

// NewTraceRecorder returns a recorder whose time zero is now.
//
// The recording methods (Frame, Slice, Instant, Counter, NameThread) of a
// nil *TraceRecorder do nothing, so a frame loop records unconditionally
// and only --trace makes a recorder.
func NewTraceRecorder(o TraceOptions) *TraceRecorder {
	if o.Frames <= 0 {
		o.Frames = DefaultTraceFrames
	}
	if o.Events <= 0 {
		o.Events = DefaultTraceEventsPerFrame * o.Frames
	}
	if o.Budget <= 0 {
		o.Budget = BudgetForFPS(DefaultFPS)
	}
	if o.Process == "" {
		o.Process = "mbotdraw"
	}
	return &TraceRecorder{
		opts: o, origin: monoNow(), prev: -1,
		threads: map[int]string{TidMain: "main (frames)", TidRobot: "robot", TidWebSocket: "websocket"},
	}
}

// NameThread names thread tid's track (TidMain, TidRobot and TidWebSocket
// are named already).
func (r *TraceRecorder) NameThread(tid int, name string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.threads[tid] = name
	r.mu.Unlock()
}

// Frame records one frame and returns its number (0, 1, 2, ... in the order
// frames are recorded).
func (r *TraceRecorder) Frame(f TraceFrame) int {
	if r == nil {
		return 0
	}
	end := monoNow()
	start := end - int64(f.Dur)
	if !f.Start.IsZero() {
		start = monoOf(f.Start)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fps := f.FPS
	if fps <= 0 {
		gap := int64(f.Dur)
		if r.prev >= 0 && start > r.prev {
			gap = start - r.prev
		}
		if gap > 0 {
			fps = 1e9 / float64(gap)
		}
	}
	r.prev = start
	tf := traceFrame{n: r.nframes, start: start, dur: int64(f.Dur), fps: fps, heap: f.HeapMB, strokes: f.Strokes, over: f.Dur > r.opts.Budget}
	r.nframes++
	if len(r.frames) < r.opts.Frames {
		r.frames = append(r.frames, tf)
	} else {
		r.frames[r.fhead] = tf
		r.fhead = (r.fhead + 1) % len(r.frames)
	}
	return tf.n
}

// Slice records an X event (a span of work) on thread tid.
func (r *TraceRecorder) Slice(tid int, name string, start time.Time, dur time.Duration) {
	r.sliceMono(tid, name, monoOf(start), int64(dur))
}

func (r *TraceRecorder) sliceMono(tid int, name string, start, dur int64) {
	r.add(traceEvent{ph: 'X', tid: int32(tid), name: name, start: start, dur: dur})
}

// Instant records an instant event now on thread tid, with an optional
// detail shown in Perfetto's details pane.
func (r *TraceRecorder) Instant(tid int, name, detail string) {
	r.add(traceEvent{ph: 'i', tid: int32(tid), name: name, detail: detail, start: monoNow()})
}

// Counter records a value of counter name now (e.g. ws_queue_depth).
func (r *TraceRecorder) Counter(name string, v float64) {
	r.add(traceEvent{ph: 'C', tid: TidMain, name: name, start: monoNow(), val: v})
}

func (r *TraceRecorder) add(e traceEvent) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) < r.opts.Events {
		r.events = append(r.events, e)
		return
	}
	r.events[r.ehead] = e
	r.ehead = (r.ehead + 1) % len(r.events)
}

// Frames returns the number of frames recorded in all, and Kept how many of
// them the trace still holds.
func (r *TraceRecorder) Frames() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nframes
}

// Kept returns the number of frames the ring holds (at most TraceOptions.Frames).
func (r *TraceRecorder) Kept() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

// traceSnap is a copy of a recorder's rings, oldest first.
type traceSnap struct {
	frames  []traceFrame
	events  []traceEvent
	threads map[int]string
	// origin is the output's time zero: when the recorder was made, or the
	// earliest event if one began before that (a span started before the
	// trace was attached), so no timestamp is negative.
	origin int64
}

// snapshot copies the rings. Once frames were dropped, the other events
// older than the oldest frame kept are left out, so the output covers one
// consistent stretch of time.
func (r *TraceRecorder) snapshot() traceSnap {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s traceSnap
	s.frames = make([]traceFrame, 0, len(r.frames))
	s.frames = append(append(s.frames, r.frames[r.fhead:]...), r.frames[:r.fhead]...)
	s.events = make([]traceEvent, 0, len(r.events))
	s.events = append(append(s.events, r.events[r.ehead:]...), r.events[:r.ehead]...)
	if r.nframes > len(s.frames) && len(s.frames) > 0 {
		first := s.frames[0].start
		s.events = slices.DeleteFunc(s.events, func(e traceEvent) bool { return e.start < first })
	}
	s.threads = make(map[int]string, len(r.threads))
	for k, v := range r.threads {
		s.threads[k] = v
	}
	s.origin = r.origin
	for _, f := range s.frames {
		s.origin = min(s.origin, f.start)
	}
	for _, e := range s.events {
		s.origin = min(s.origin, e.start)
	}
	return s
}

// traceItem is one thing to write, in time order: an event, a frame's
// slice (at its start), or a frame's counters (at its end).
type traceItem struct {
	ts, dur int64
	kind    uint8 // 0: events[i], 1: frames[i] slice, 2: frames[i] end
	i       int32
}

// WriteJSON writes the trace as Chrome trace event JSON.
func (r *TraceRecorder) WriteJSON(w io.Writer) error {
	snap := r.snapshot()
	frames, events, threads, origin := snap.frames, snap.events, snap.threads, snap.origin
	items := traceItems(frames, events)
	sortIndex := map[int]int{}
	for t := range threads {
		sortIndex[t] = t * traceLanes
	}
	assignLanes(items, events, threads, sortIndex)

	bw := bufio.NewWriterSize(w, 64<<10)
	b := r.appendJSONHeader(nil, threads, sortIndex)
	budgetMS := float64(r.opts.Budget) / 1e6
	for _, it := range items {
		if len(b) > 32<<10 {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
		switch it.kind {
		case 1:
			b = appendFrameSlice(b, frames[it.i], origin, budgetMS)
		case 2:
			b = appendFrameEnd(b, frames[it.i], origin)
		default:
			b = appendEvent(b, events[it.i], origin)
		}
	}
	b = append(b, "\n]}\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// traceItems lists the events and frames sorted by time; at equal times the
// longer slice first, so it is the parent. A frame gives two items: its
// slice at its start, and its counters (and over-budget instant) at its end.
func traceItems(frames []traceFrame, events []traceEvent) []traceItem {
	items := make([]traceItem, 0, len(events)+2*len(frames))
	for i, e := range events {
		items = append(items, traceItem{e.start, e.dur, 0, int32(i)})
	}
	for i, f := range frames {
		items = append(items, traceItem{f.start, f.dur, 1, int32(i)}, traceItem{f.start + f.dur, 0, 2, int32(i)})
	}
	slices.SortStableFunc(items, func(a, b traceItem) int {
		return cmp.Or(cmp.Compare(a.ts, b.ts), cmp.Compare(b.dur, a.dur), cmp.Compare(a.kind, b.kind))
	})
	return items
}

// assignLanes makes the slices on each thread nest. Round trips of
// concurrent WebSocket clients (or anything else recorded from several
// goroutines) overlap; such a slice moves to the first extra lane of its
// thread where it nests, named "websocket 2", "websocket 3", ... It
// changes the events' tids and adds the lanes to threads and sortIndex.
func assignLanes(items []traceItem, events []traceEvent, threads map[int]string, sortIndex map[int]int) {
	lanes := map[int32][][]int64{} // tid → per lane, the stack of open slice ends
	for _, it := range items {
		if it.kind == 1 { // frames stay on lane 0 of the main thread
			ls := lanes[TidMain]
			if len(ls) == 0 {
				ls = append(ls, nil)
			}
			st := ls[0]
			for len(st) > 0 && st[len(st)-1] <= it.ts {
				st = st[:len(st)-1]
			}
			ls[0] = append(st, it.ts+it.dur)
			lanes[TidMain] = ls
			continue
		}
		if it.kind != 0 || events[it.i].ph != 'X' {
			continue
		}
		e := &events[it.i]
		ls := lanes[e.tid]
		k := 0
		for ; k < len(ls); k++ {
			st := ls[k]
			for len(st) > 0 && st[len(st)-1] <= e.start {
				st = st[:len(st)-1]
			}
			ls[k] = st
			if len(st) == 0 || st[len(st)-1] >= e.start+e.dur {
				break
			}
		}
		if k == len(ls) {
			if k == traceLanes {
				k-- // out of lanes: overlap on the last one
			} else {
				ls = append(ls, nil)
			}
		}
		ls[k] = append(ls[k], e.start+e.dur)
		lanes[e.tid] = ls
		if k > 0 {
			base := int(e.tid)
			lane := base*traceLanes + k
			if _, ok := threads[lane]; !ok {
				name := threads[base]
				if name == "" {
					name = "thread " + strconv.Itoa(base)
				}
				threads[lane] = name + " " + strconv.Itoa(k+1)
				sortIndex[lane] = lane
			}
			e.tid = int32(lane)
		}
	}
}

// appendJSONHeader writes the document's start: the metadata (otherData),
// the process name and each thread's name and sort index.
func (r *TraceRecorder) appendJSONHeader(b []byte, threads map[int]string, sortIndex map[int]int) []byte {
	b = append(b, `{"displayTimeUnit":"ms","otherData":{`...)
	keys := make([]string, 0, len(r.opts.Meta))
	for k := range r.opts.Meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstring.Append(b, k)
		b = append(b, ':')
		b = jsonstring.Append(b, r.opts.Meta[k])
	}
	b = append(b, `},"traceEvents":[`...)
	b = append(b, `{"ph":"M","pid":1,"tid":0,"name":"process_name","args":{"name":`...)
	b = jsonstring.Append(b, r.opts.Process)
	b = append(b, "}}"...)
	tids := make([]int, 0, len(threads))
	for t := range threads {
		tids = append(tids, t)
	}
	slices.Sort(tids)
	for _, t := range tids {
		b = append(b, ",\n"...)
		b = append(b, `{"ph":"M","pid":1,"tid":`...)
		b = strconv.AppendInt(b, int64(t), 10)
		b = append(b, `,"name":"thread_name","args":{"name":`...)
		b = jsonstring.Append(b, threads[t])
		b = append(b, "}},\n"...)
		b = append(b, `{"ph":"M","pid":1,"tid":`...)
		b = strconv.AppendInt(b, int64(t), 10)
		b = append(b, `,"name":"thread_sort_index","args":{"sort_index":`...)
		b = strconv.AppendInt(b, int64(sortIndex[t]), 10)
		b = append(b, "}}"...)
	}
	return b
}

// appendEvent writes one slice, instant or counter event.
func appendEvent(b []byte, e traceEvent, origin int64) []byte {
	b = append(b, ",\n{\"ph\":\""...)
	b = append(b, e.ph)
	b = append(b, `","pid":1,"tid":`...)
	b = strconv.AppendInt(b, int64(e.tid), 10)
	b = append(b, `,"name":`...)
	b = jsonstring.Append(b, e.name)
	b = append(b, `,"ts":`...)
	b = appendUS(b, e.start-origin)
	switch e.ph {
	case 'X':
		b = append(b, `,"dur":`...)
		b = appendUS(b, e.dur)
	case 'i':
		b = append(b, `,"s":"t"`...)
		if e.detail != "" {
			b = append(b, `,"args":{"detail":`...)
			b = jsonstring.Append(b, e.detail)
			b = append(b, '}')
		}
	case 'C':
		b = append(b, `,"args":{`...)
		b = jsonstring.Append(b, e.name)
		b = append(b, ':')
		b = appendNum(b, e.val)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendFrameSlice writes a frame's X slice.
func appendFrameSlice(b []byte, f traceFrame, origin int64, budgetMS float64) []byte {
	b = append(b, ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"name\":\"frame\",\"ts\":"...)
	b = appendUS(b, f.start-origin)
	b = append(b, `,"dur":`...)
	b = appendUS(b, f.dur)
	b = append(b, `,"args":{"n":`...)
	b = strconv.AppendInt(b, int64(f.n), 10)
	b = append(b, `,"budget_ms":`...)
	b = appendNum(b, budgetMS)
	return append(b, "}}"...)
}

// appendFrameEnd writes a frame's counters and, when it was over budget,
// its instant, at the frame's end.
func appendFrameEnd(b []byte, f traceFrame, origin int64) []byte {
	end := f.start + f.dur
	counter := func(name string, v float64) {
		b = append(b, ",\n{\"ph\":\"C\",\"pid\":1,\"tid\":1,\"name\":\""...)
		b = append(b, name...)
		b = append(b, `","ts":`...)
		b = appendUS(b, end-origin)
		b = append(b, `,"args":{"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendNum(b, v)
		b = append(b, "}}"...)
	}
	counter("fps", f.fps)
	counter("frame_ms", float64(f.dur)/1e6)
	counter("heap_mb", f.heap)
	counter("strokes", float64(f.strokes))
	if f.over {
		b = append(b, ",\n{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"name\":\"over_budget\",\"s\":\"t\",\"ts\":"...)
		b = appendUS(b, end-origin)
		b = append(b, `,"args":{"frame":`...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		b = append(b, `,"frame_ms":`...)
		b = appendNum(b, float64(f.dur)/1e6)
		b = append(b, "}}"...)
	}
	return b
}

// WriteCSV writes one row per frame kept:
// frame,ts_ms,frame_ms,fps,heap_mb,strokes,over_budget
// (ts_ms is the frame's start since the trace began).
func (r *TraceRecorder) WriteCSV(w io.Writer) error {
	snap := r.snapshot()
	frames, origin := snap.frames, snap.origin
	bw := bufio.NewWriter(w)
	b := []byte("frame,ts_ms,frame_ms,fps,heap_mb,strokes,over_budget\n")
	for _, f := range frames {
		b = strconv.AppendInt(b, int64(f.n), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(f.start-origin)/1e6, 'f', 3, 64)
		b = append(b, ',')
		b = appendNum(b, float64(f.dur)/1e6)
		b = append(b, ',')
		b = appendNum(b, f.fps)
		b = append(b, ',')
		b = appendNum(b, f.heap)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(f.strokes), 10)
		b = append(b, ',')
		b = strconv.AppendBool(b, f.over)
		b = append(b, '\n')
		if len(b) > 32<<10 {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// appendUS writes nanoseconds as microseconds with nanosecond precision.
func appendUS(b []byte, ns int64) []byte {
	return strconv.AppendFloat(b, float64(ns)/1e3, 'f', 3, 64)
}

// appendNum writes a float as the shortest JSON number that reads back the
// same (NaN and infinities, which JSON lacks, as 0).
func appendNum(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
