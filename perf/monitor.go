package perf

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// The product's invariants, as Invariant.Name reports them.
const (
	InvWebSocketP99 = "websocket_p99"   // WebSocket round trip p99 < 50 ms
	InvMemory       = "memory"          // runtime memory < 100 MB
	InvFPS          = "fps"             // frame p95 ≤ budget: 60 fps held
	InvSmooth       = "smooth_playback" // frame p99 ≤ budget with 1,000+ strokes
)

// MonitorOptions configure a Monitor; each zero field means its default.
// Profile.MonitorOptions fills them from a profile.
type MonitorOptions struct {
	// TargetFPS sets the frame budget (default 60: 16.67 ms).
	TargetFPS float64
	// Budget, when positive, is the frame budget itself and overrides
	// TargetFPS (bench --budget-ms).
	Budget time.Duration
	// MemoryLimitMB is the memory invariant's limit (default 100).
	MemoryLimitMB float64
	// WebSocketP99 is the WebSocket round-trip limit (default 50 ms).
	WebSocketP99 time.Duration
	// SmoothStrokes is the stroke count from which the smooth-playback
	// invariant applies (default 1,000).
	SmoothStrokes int
	// AlertWindow is the dedup window of alerts (default 10 s), and
	// AlertHistory the most alerts kept (default 100).
	AlertWindow  time.Duration
	AlertHistory int
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

func (o MonitorOptions) withDefaults() MonitorOptions {
	if o.MemoryLimitMB <= 0 {
		o.MemoryLimitMB = DefaultMemoryBudgetMB
	}
	if o.WebSocketP99 <= 0 {
		o.WebSocketP99 = 50 * time.Millisecond
	}
	if o.SmoothStrokes <= 0 {
		o.SmoothStrokes = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Monitor collects the run's health figures — frame times, memory,
// WebSocket round trips, robot-link events — checks the product's
// invariants against them, raises alerts into a bounded, deduplicated
// history, and reports whether the run is healthy and why not. Figures are
// whole-run (since NewMonitor or Reset), in fixed memory. It is safe for
// concurrent use: the frame loop, the WebSocket server and the robot driver
// record into one Monitor.
type Monitor struct {
	opts   MonitorOptions
	budget time.Duration
	alerts *AlertLog

	mu         sync.Mutex
	frames     Histogram
	overFrames uint64
	strokes    int
	ws         Histogram
	robotAck   Histogram
	reconnects uint64
	linkLost   uint64
	robotErrs  uint64
	mem        MemorySample
	memPeakMB  float64
	memN       int
	trace      *TraceRecorder
}

// NewMonitor returns an empty monitor.
func NewMonitor(o MonitorOptions) *Monitor {
	o = o.withDefaults()
	budget := BudgetForFPS(o.TargetFPS)
	if o.Budget > 0 {
		budget = o.Budget
	}
	return &Monitor{opts: o, budget: budget, alerts: NewAlertLog(o.AlertHistory, o.AlertWindow)}
}

// Budget returns the frame budget the frame invariants use.
func (m *Monitor) Budget() time.Duration { return m.budget }

// SetTrace attaches a trace recorder: alerts become instants, WebSocket
// round trips slices on TidWebSocket, robot acks slices and link events
// instants on TidRobot. A nil recorder detaches.
func (m *Monitor) SetTrace(r *TraceRecorder) {
	m.mu.Lock()
	m.trace = r
	m.mu.Unlock()
}

func (m *Monitor) tracer() *TraceRecorder {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.trace
}

// RecordFrame adds one frame's time.
func (m *Monitor) RecordFrame(d time.Duration) {
	m.mu.Lock()
	m.frames.Record(d)
	if d > m.budget {
		m.overFrames++
	}
	m.mu.Unlock()
}

// RecordStrokes sets the number of strokes of the drawing being played.
func (m *Monitor) RecordStrokes(n int) {
	m.mu.Lock()
	m.strokes = n
	m.mu.Unlock()
}

// RecordWebSocket adds one WebSocket round trip (ping to pong, or batch to
// ack).
func (m *Monitor) RecordWebSocket(rtt time.Duration) {
	m.mu.Lock()
	m.ws.Record(rtt)
	tr := m.trace
	m.mu.Unlock()
	if tr != nil {
		tr.sliceMono(TidWebSocket, "ws round trip", monoNow()-int64(rtt), int64(rtt))
	}
}

// RecordRobotAck adds the time from sending a robot frame to its ack.
func (m *Monitor) RecordRobotAck(latency time.Duration) {
	m.mu.Lock()
	m.robotAck.Record(latency)
	tr := m.trace
	m.mu.Unlock()
	if tr != nil {
		tr.sliceMono(TidRobot, "robot frame", monoNow()-int64(latency), int64(latency))
	}
}

// RecordRobotLinkLost notes that the robot link was lost (a critical alert).
func (m *Monitor) RecordRobotLinkLost(reason string) {
	m.mu.Lock()
	m.linkLost++
	m.mu.Unlock()
	m.Raise(Alert{Severity: SeverityCritical, Category: CategoryRobot, Key: "robot_link_lost", Message: "robot link lost: " + reason})
	if tr := m.tracer(); tr != nil {
		tr.Instant(TidRobot, "robot link lost", reason)
	}
}

// RecordRobotReconnect notes that the robot link came back (an info alert).
func (m *Monitor) RecordRobotReconnect() {
	m.mu.Lock()
	m.reconnects++
	m.mu.Unlock()
	m.Raise(Alert{Severity: SeverityInfo, Category: CategoryRobot, Key: "robot_reconnect", Message: "robot reconnected"})
	if tr := m.tracer(); tr != nil {
		tr.Instant(TidRobot, "robot reconnect", "")
	}
}

// RecordRobotError notes a robot-link error (a warning alert).
func (m *Monitor) RecordRobotError(err error) {
	if err == nil {
		return
	}
	m.mu.Lock()
	m.robotErrs++
	m.mu.Unlock()
	m.Raise(Alert{Severity: SeverityWarning, Category: CategoryRobot, Key: "robot_error", Message: "robot: " + err.Error()})
}

// RecordMemory adds one memory reading.
func (m *Monitor) RecordMemory(s MemorySample) {
	m.mu.Lock()
	m.mem = s
	m.memPeakMB = max(m.memPeakMB, s.TotalMB)
	m.memN++
	m.mu.Unlock()
}

// SampleMemory reads the runtime's memory (ReadMemory), records it and
// returns it. Call it about once a second, or once a frame in a benchmark.
func (m *Monitor) SampleMemory() MemorySample {
	s := ReadMemory()
	m.RecordMemory(s)
	return s
}

// Raise adds an alert (a zero Time means the monitor's clock) to the
// history, deduplicated; see AlertLog.Raise.
func (m *Monitor) Raise(a Alert) (Alert, bool) {
	if a.Time.IsZero() {
		a.Time = m.opts.Now()
	}
	stored, isNew := m.alerts.Raise(a)
	if isNew {
		if tr := m.tracer(); tr != nil {
			tr.Instant(TidMain, "alert: "+string(a.Category), a.Message)
		}
	}
	return stored, isNew
}

// Alerts returns the alert history, oldest first.
func (m *Monitor) Alerts() []Alert { return m.alerts.Alerts() }

// ActiveAlerts returns the alerts raised within the dedup window, most
// severe first: what the overlay shows.
func (m *Monitor) ActiveAlerts() []Alert { return m.alerts.Active(m.opts.Now()) }

// Invariant is the outcome of one invariant check.
type Invariant struct {
	Name     string   `json:"name"`
	Category Category `json:"category"`
	// OK is false when the invariant is violated. Checks without data (no
	// WebSocket traffic, say) or that do not apply are OK with Applies false.
	OK      bool    `json:"ok"`
	Applies bool    `json:"applies"`
	Value   float64 `json:"value"`
	Limit   float64 `json:"limit"`
	Unit    string  `json:"unit"`
	Message string  `json:"message"`
}

// Invariants checks every invariant: WebSocket round-trip p99 < limit
// (50 ms), peak runtime memory < limit (100 MB), frame p95 ≤ budget (the
// target fps is held), frame p99 ≤ budget when the drawing has 1,000 or more
// strokes (smooth playback at scale).
func (m *Monitor) Invariants() []Invariant {
	m.mu.Lock()
	defer m.mu.Unlock()
	budgetMS := float64(m.budget) / 1e6
	var out []Invariant

	ws := Invariant{Name: InvWebSocketP99, Category: CategoryWebSocket, OK: true, Limit: float64(m.opts.WebSocketP99) / 1e6, Unit: "ms"}
	if m.ws.Count() == 0 {
		ws.Message = "websocket: no round trips measured"
	} else {
		ws.Applies = true
		ws.Value = float64(m.ws.Quantile(0.99)) / 1e6
		ws.OK = ws.Value < ws.Limit
		ws.Message = fmt.Sprintf("websocket p99 %.1fms %s %.1fms (%d round trips)", ws.Value, cmpSign(ws.OK, "<", "≥"), ws.Limit, m.ws.Count())
	}
	out = append(out, ws)

	mem := Invariant{Name: InvMemory, Category: CategoryMemory, OK: true, Limit: m.opts.MemoryLimitMB, Unit: "MB"}
	if m.memN == 0 {
		mem.Message = "memory: not sampled"
	} else {
		mem.Applies = true
		mem.Value = round1(m.memPeakMB)
		mem.OK = m.memPeakMB < mem.Limit
		mem.Message = fmt.Sprintf("memory peak %.1fMB %s limit %.0fMB", m.memPeakMB, cmpSign(mem.OK, "<", "≥"), mem.Limit)
	}
	out = append(out, mem)

	fps := Invariant{Name: InvFPS, Category: CategoryFrame, OK: true, Limit: budgetMS, Unit: "ms"}
	smooth := Invariant{Name: InvSmooth, Category: CategoryFrame, OK: true, Limit: budgetMS, Unit: "ms"}
	target := float64(time.Second) / float64(m.budget)
	if m.frames.Count() == 0 {
		fps.Message = "frames: none recorded"
		smooth.Message = fps.Message
	} else {
		fps.Applies = true
		fps.Value = float64(m.frames.Quantile(0.95)) / 1e6
		fps.OK = fps.Value <= budgetMS
		fps.Message = fmt.Sprintf("frame p95 %s %s budget %s (%.0f fps)", fmtMS(m.frames.Quantile(0.95)), cmpSign(fps.OK, "≤", ">"), fmtMS(m.budget), target)
		smooth.Value = float64(m.frames.Quantile(0.99)) / 1e6
		if m.strokes < m.opts.SmoothStrokes {
			smooth.Message = fmt.Sprintf("smooth playback: applies from %d strokes, drawing has %d", m.opts.SmoothStrokes, m.strokes)
		} else {
			smooth.Applies = true
			smooth.OK = smooth.Value <= budgetMS
			smooth.Message = fmt.Sprintf("frame p99 %s %s budget %s with %d strokes", fmtMS(m.frames.Quantile(0.99)), cmpSign(smooth.OK, "≤", ">"), fmtMS(m.budget), m.strokes)
		}
	}
	return append(out, fps, smooth)
}

// Violations returns the invariants that do not hold (none: nil).
func (m *Monitor) Violations() []Invariant {
	var v []Invariant
	for _, inv := range m.Invariants() {
		if !inv.OK {
			v = append(v, inv)
		}
	}
	return v
}

// Evaluate checks the invariants, raises an alert for each violation
// (memory: critical; the others: warning; repeats are deduplicated) and
// returns the violations. Call it about once a second and at the end.
func (m *Monitor) Evaluate() []Invariant {
	v := m.Violations()
	for _, inv := range v {
		sev := SeverityWarning
		if inv.Category == CategoryMemory {
			sev = SeverityCritical
		}
		m.Raise(Alert{Severity: sev, Category: inv.Category, Key: inv.Name, Message: inv.Message})
	}
	return v
}

// Report is the run's health: healthy or not and why, with the figures.
type Report struct {
	Healthy    bool        `json:"healthy"`
	Reasons    []string    `json:"reasons,omitempty"`
	Frames     FrameStats  `json:"frames"`
	Memory     MemoryStats `json:"memory"`
	WebSocket  LinkStats   `json:"websocket"`
	Robot      RobotStats  `json:"robot"`
	Strokes    int         `json:"strokes"`
	Invariants []Invariant `json:"invariants"`
	Alerts     []Alert     `json:"alerts,omitempty"`
}

// FrameStats summarizes frame times.
type FrameStats struct {
	Count      uint64  `json:"count"`
	OverBudget uint64  `json:"over_budget"`
	BudgetMS   float64 `json:"budget_ms"`
	// FPS is the rate the frames' mean time allows (1000 / mean ms).
	FPS     float64 `json:"fps"`
	FrameMS Summary `json:"frame_ms"`
}

// MemoryStats is the last memory reading and the peak.
type MemoryStats struct {
	MemorySample
	PeakMB  float64 `json:"peak_mb"`
	LimitMB float64 `json:"limit_mb"`
}

// LinkStats summarizes round trips of a link.
type LinkStats struct {
	Count uint64  `json:"count"`
	RTTMS Summary `json:"rtt_ms"`
}

// RobotStats summarizes the robot link.
type RobotStats struct {
	LinkStats
	Reconnects uint64 `json:"reconnects"`
	LinkLost   uint64 `json:"link_lost"`
	Errors     uint64 `json:"errors"`
}

// Report evaluates the invariants (raising their alerts) and returns the
// run's health. The run is healthy when every invariant holds and no
// critical alert is active.
func (m *Monitor) Report() Report {
	violations := m.Evaluate()
	r := Report{Healthy: true, Invariants: m.Invariants(), Alerts: m.Alerts()}
	for _, v := range violations {
		r.Healthy = false
		r.Reasons = append(r.Reasons, v.Message)
	}
	for _, a := range m.ActiveAlerts() {
		if a.Severity == SeverityCritical && !isInvariantKey(a.Key) {
			r.Healthy = false
			r.Reasons = append(r.Reasons, a.Message)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Strokes = m.strokes
	r.Frames = FrameStats{Count: m.frames.Count(), OverBudget: m.overFrames, BudgetMS: round3(float64(m.budget) / 1e6), FrameMS: m.frames.Summary()}
	if mean := m.frames.Mean(); mean > 0 {
		r.Frames.FPS = round1(float64(time.Second) / float64(mean))
	}
	r.Memory = MemoryStats{MemorySample: m.mem, PeakMB: round1(m.memPeakMB), LimitMB: m.opts.MemoryLimitMB}
	r.WebSocket = LinkStats{Count: m.ws.Count(), RTTMS: m.ws.Summary()}
	r.Robot = RobotStats{LinkStats: LinkStats{Count: m.robotAck.Count(), RTTMS: m.robotAck.Summary()},
		Reconnects: m.reconnects, LinkLost: m.linkLost, Errors: m.robotErrs}
	return r
}

// String writes the report for a terminal: a verdict line, then one line
// per invariant and per active alert.
func (r Report) String() string {
	var b strings.Builder
	if r.Healthy {
		b.WriteString("healthy\n")
	} else {
		fmt.Fprintf(&b, "NOT healthy: %s\n", strings.Join(r.Reasons, "; "))
	}
	for _, inv := range r.Invariants {
		mark := "ok  "
		switch {
		case !inv.OK:
			mark = "FAIL"
		case !inv.Applies:
			mark = "n/a "
		}
		fmt.Fprintf(&b, "  %s %-16s %s\n", mark, inv.Name, inv.Message)
	}
	for _, a := range r.Alerts {
		fmt.Fprintf(&b, "  alert %s\n", a)
	}
	return b.String()
}

// Reset forgets every figure and alert (the trace attachment stays): call it
// when a new drawing starts playing.
func (m *Monitor) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.frames.Reset()
	m.ws.Reset()
	m.robotAck.Reset()
	m.overFrames, m.reconnects, m.linkLost, m.robotErrs = 0, 0, 0, 0
	m.mem, m.memPeakMB, m.memN = MemorySample{}, 0, 0
	m.alerts.Reset()
}

func isInvariantKey(k string) bool {
	return k == InvWebSocketP99 || k == InvMemory || k == InvFPS || k == InvSmooth
}

func cmpSign(ok bool, good, bad string) string {
	if ok {
		return good
	}
	return bad
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
