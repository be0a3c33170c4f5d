package perf

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// clock is a settable time for monitor tests.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newTestMonitor() (*Monitor, *clock) {
	c := &clock{now: t0}
	return NewMonitor(MonitorOptions{Now: c.Now}), c
}

func invariant(t *testing.T, m *Monitor, name string) Invariant {
	t.Helper()
	for _, inv := range m.Invariants() {
		if inv.Name == name {
			return inv
		}
	}
	t.Fatalf("no invariant %s", name)
	return Invariant{}
}

func TestMonitorNoDataIsHealthy(t *testing.T) {
	m, _ := newTestMonitor()
	invs := m.Invariants()
	if len(invs) != 4 {
		t.Fatalf("%d invariants", len(invs))
	}
	for _, inv := range invs {
		if !inv.OK || inv.Applies {
			t.Errorf("%s with no data: ok %v applies %v", inv.Name, inv.OK, inv.Applies)
		}
	}
	if r := m.Report(); !r.Healthy || !strings.HasPrefix(r.String(), "healthy\n") {
		t.Errorf("empty report: %s", r)
	}
}

func TestMonitorWebSocketP99(t *testing.T) {
	m, _ := newTestMonitor()
	for range 990 {
		m.RecordWebSocket(3 * time.Millisecond)
	}
	for range 10 { // exactly 1%: p99 is still 3 ms
		m.RecordWebSocket(80 * time.Millisecond)
	}
	if inv := invariant(t, m, InvWebSocketP99); !inv.OK || !inv.Applies {
		t.Errorf("p99 at 3ms: %+v", inv)
	}
	m.RecordWebSocket(80 * time.Millisecond) // now above 1%
	inv := invariant(t, m, InvWebSocketP99)
	if inv.OK || inv.Value < 79 || inv.Limit != 50 || !strings.Contains(inv.Message, "websocket p99 80") || !strings.Contains(inv.Message, "≥ 50.0ms") {
		t.Errorf("p99 at 80ms: %+v", inv)
	}
	if v := m.Violations(); len(v) != 1 || v[0].Name != InvWebSocketP99 {
		t.Errorf("violations %+v", v)
	}
}

func TestMonitorMemory(t *testing.T) {
	m, _ := newTestMonitor()
	m.RecordMemory(MemorySample{TotalMB: 60})
	m.RecordMemory(MemorySample{TotalMB: 99.9})
	if inv := invariant(t, m, InvMemory); !inv.OK || !inv.Applies {
		t.Errorf("99.9 MB: %+v", inv)
	}
	m.RecordMemory(MemorySample{TotalMB: 130})
	m.RecordMemory(MemorySample{TotalMB: 70}) // the peak counts
	inv := invariant(t, m, InvMemory)
	if inv.OK || inv.Value != 130 || inv.Message != "memory peak 130.0MB ≥ limit 100MB" {
		t.Errorf("peak 130 MB: %+v", inv)
	}
	v := m.Evaluate()
	al := m.Alerts()
	if len(v) != 1 || len(al) != 1 || al[0].Severity != SeverityCritical || al[0].Category != CategoryMemory {
		t.Errorf("violations %+v alerts %+v", v, al)
	}
	// A real reading from the runtime.
	s := m.SampleMemory()
	if s.HeapMB <= 0 || s.TotalMB < s.HeapMB || s.LiveHeapMB < 0 {
		t.Errorf("runtime sample %+v", s)
	}
}

func TestMonitorFPSAndSmooth(t *testing.T) {
	m, _ := newTestMonitor()
	m.RecordStrokes(10000)
	for range 990 {
		m.RecordFrame(5 * time.Millisecond)
	}
	for range 10 {
		m.RecordFrame(40 * time.Millisecond)
	}
	if v := m.Violations(); len(v) != 0 {
		t.Errorf("p95 and p99 at 5ms: %+v", v)
	}
	for range 30 { // 40 of 1030 slow: p99 over budget, p95 not
		m.RecordFrame(40 * time.Millisecond)
	}
	v := m.Violations()
	if len(v) != 1 || v[0].Name != InvSmooth || !strings.Contains(v[0].Message, "with 10000 strokes") {
		t.Fatalf("p99 40ms: %+v", v)
	}
	for range 100 { // now > 5% slow
		m.RecordFrame(40 * time.Millisecond)
	}
	v = m.Violations()
	if len(v) != 2 || v[0].Name != InvFPS || !strings.Contains(v[0].Message, "> budget 16.7ms (60 fps)") {
		t.Errorf("p95 40ms: %+v", v)
	}
	// Below 1,000 strokes smooth playback does not apply.
	m.RecordStrokes(999)
	if inv := invariant(t, m, InvSmooth); !inv.OK || inv.Applies {
		t.Errorf("999 strokes: %+v", inv)
	}
	r := m.Report()
	if r.Healthy || len(r.Reasons) != 1 || r.Frames.Count != 1130 || r.Frames.OverBudget != 140 || r.Frames.BudgetMS != 16.667 {
		t.Errorf("report %+v", r)
	}
}

// Evaluating repeatedly raises one alert per violated invariant, counted.
func TestMonitorEvaluateDedupsAlerts(t *testing.T) {
	m, c := newTestMonitor()
	for range 100 {
		m.RecordFrame(30 * time.Millisecond)
	}
	for range 10 {
		m.Evaluate()
		c.now = c.now.Add(time.Second)
	}
	al := m.Alerts()
	if len(al) != 1 || al[0].Count != 10 || al[0].Key != InvFPS || al[0].Severity != SeverityWarning {
		t.Fatalf("alerts %+v", al)
	}
	if act := m.ActiveAlerts(); len(act) != 1 {
		t.Errorf("active %+v", act)
	}
	c.now = c.now.Add(time.Minute)
	if act := m.ActiveAlerts(); len(act) != 0 {
		t.Errorf("still active after a quiet minute: %+v", act)
	}
	m.Evaluate()
	if al := m.Alerts(); len(al) != 2 {
		t.Errorf("after the window a new alert is expected: %+v", al)
	}
	m.Reset()
	if len(m.Alerts()) != 0 || len(m.Violations()) != 0 {
		t.Error("Reset kept state")
	}
}

func TestMonitorRobotLink(t *testing.T) {
	m, c := newTestMonitor()
	rec := NewTraceRecorder(TraceOptions{})
	m.SetTrace(rec)
	m.RecordRobotAck(4 * time.Millisecond)
	m.RecordWebSocket(2 * time.Millisecond)
	m.RecordRobotLinkLost("read /dev/ttyUSB0: EOF")
	r := m.Report()
	if r.Healthy || len(r.Reasons) != 1 || r.Reasons[0] != "robot link lost: read /dev/ttyUSB0: EOF" {
		t.Errorf("after link lost: healthy %v reasons %q", r.Healthy, r.Reasons)
	}
	c.now = c.now.Add(2 * time.Second)
	m.RecordRobotReconnect()
	m.RecordRobotError(errors.New("bad checksum"))
	m.RecordRobotError(nil)
	r = m.Report()
	if r.Robot.LinkLost != 1 || r.Robot.Reconnects != 1 || r.Robot.Errors != 1 || r.Robot.Count != 1 || r.WebSocket.Count != 1 {
		t.Errorf("robot stats %+v ws %+v", r.Robot, r.WebSocket)
	}
	c.now = c.now.Add(time.Minute)
	if r = m.Report(); !r.Healthy {
		t.Errorf("a link lost a minute ago and since reconnected: %v", r.Reasons)
	}
	ev := rec.snapshot().events
	tids := map[int32]int{}
	for _, e := range ev {
		tids[e.tid]++
	}
	if tids[TidRobot] != 3 || tids[TidWebSocket] != 1 {
		t.Errorf("trace events by thread %v, want 3 robot and 1 websocket", tids)
	}
}

// An explicit budget (bench --budget-ms) overrides the target fps in every
// frame check.
func TestMonitorExplicitBudget(t *testing.T) {
	m := NewMonitor(MonitorOptions{TargetFPS: 60, Budget: 2 * time.Millisecond})
	if m.Budget() != 2*time.Millisecond {
		t.Fatalf("budget %v, want 2ms", m.Budget())
	}
	for range 100 {
		m.RecordFrame(3 * time.Millisecond) // inside 60 fps, over 2 ms
	}
	if inv := invariant(t, m, InvFPS); inv.OK || inv.Limit != 2 {
		t.Errorf("3ms frames against a 2ms budget: %+v", inv)
	}
	if r := m.Report(); r.Frames.OverBudget != 100 || r.Frames.BudgetMS != 2 {
		t.Errorf("report frames %+v", r.Frames)
	}
}
