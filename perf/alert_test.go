package perf

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// The same alert repeating within the window is counted, not duplicated;
// after a quiet window it is a new alert; a different key, category or
// severity is a different alert.
func TestAlertDedup(t *testing.T) {
	l := NewAlertLog(0, 10*time.Second)
	a := Alert{Severity: SeverityWarning, Category: CategoryWebSocket, Key: "websocket_p99"}
	for i := range 5 { // every 3 s: each within 10 s of the last
		a.Time = t0.Add(time.Duration(3*i) * time.Second)
		a.Message = fmt.Sprintf("websocket p99 %dms", 60+i)
		got, isNew := l.Raise(a)
		if isNew != (i == 0) {
			t.Errorf("raise %d: new = %v", i, isNew)
		}
		if got.Count != i+1 {
			t.Errorf("raise %d: count %d", i, got.Count)
		}
	}
	all := l.Alerts()
	if len(all) != 1 || all[0].Count != 5 || !all[0].Time.Equal(t0) || !all[0].Last.Equal(t0.Add(12*time.Second)) || all[0].Message != "websocket p99 64ms" {
		t.Fatalf("after 5 repeats: %+v", all)
	}
	// Quiet for more than the window: a new alert.
	a.Time = t0.Add(23 * time.Second)
	if _, isNew := l.Raise(a); !isNew {
		t.Error("a repeat after a quiet window was merged")
	}
	// Different severity, category or key: distinct alerts.
	l.Raise(Alert{Time: a.Time, Severity: SeverityCritical, Category: CategoryWebSocket, Key: "websocket_p99", Message: "x"})
	l.Raise(Alert{Time: a.Time, Severity: SeverityWarning, Category: CategoryRobot, Key: "websocket_p99", Message: "x"})
	l.Raise(Alert{Time: a.Time, Severity: SeverityWarning, Category: CategoryWebSocket, Message: "other"})
	if n := len(l.Alerts()); n != 5 {
		t.Errorf("%d alerts, want 5", n)
	}
	// Without a key the message is the key.
	m := NewAlertLog(0, time.Minute)
	m.Raise(Alert{Time: t0, Category: CategoryFrame, Message: "a"})
	m.Raise(Alert{Time: t0, Category: CategoryFrame, Message: "a"})
	m.Raise(Alert{Time: t0, Category: CategoryFrame, Message: "b"})
	if got := m.Alerts(); len(got) != 2 || got[0].Count != 2 {
		t.Errorf("message dedup: %+v", got)
	}
}

func TestAlertHistoryBounded(t *testing.T) {
	l := NewAlertLog(10, time.Second)
	for i := range 25 {
		l.Raise(Alert{Time: t0, Category: CategoryFrame, Message: fmt.Sprint("alert ", i)})
	}
	got := l.Alerts()
	if len(got) != 10 || got[0].Message != "alert 15" || got[9].Message != "alert 24" || l.Dropped() != 15 {
		t.Errorf("history %d alerts, first %q last %q, dropped %d", len(got), got[0].Message, got[9].Message, l.Dropped())
	}
	l.Reset()
	if len(l.Alerts()) != 0 {
		t.Error("Reset kept alerts")
	}
}

func TestAlertActiveOrder(t *testing.T) {
	l := NewAlertLog(0, 10*time.Second)
	l.Raise(Alert{Time: t0, Severity: SeverityInfo, Category: CategoryRobot, Message: "reconnected"})
	l.Raise(Alert{Time: t0.Add(time.Second), Severity: SeverityCritical, Category: CategoryMemory, Message: "memory"})
	l.Raise(Alert{Time: t0.Add(2 * time.Second), Severity: SeverityWarning, Category: CategoryFrame, Message: "slow"})
	l.Raise(Alert{Time: t0.Add(-time.Minute), Severity: SeverityCritical, Category: CategoryRobot, Message: "old"})
	act := l.Active(t0.Add(5 * time.Second))
	var msgs []string
	for _, a := range act {
		msgs = append(msgs, a.Message)
	}
	if got := strings.Join(msgs, ","); got != "memory,slow,reconnected" {
		t.Errorf("active = %s", got)
	}
}

func TestSeverityJSON(t *testing.T) {
	b, _ := json.Marshal(Alert{Severity: SeverityCritical, Category: CategoryMemory, Message: "m", Count: 1})
	if !strings.Contains(string(b), `"severity":"critical","category":"memory"`) {
		t.Errorf("JSON %s", b)
	}
	var a Alert
	if err := json.Unmarshal(b, &a); err != nil || a.Severity != SeverityCritical {
		t.Errorf("round trip: %v %v", a.Severity, err)
	}
	if err := json.Unmarshal([]byte(`{"severity":"dire"}`), &a); err == nil || !strings.Contains(err.Error(), "valid: info, warning, critical") {
		t.Errorf("bad severity: %v", err)
	}
	if s := (Alert{Severity: SeverityWarning, Category: CategoryWebSocket, Message: "slow", Count: 3}).String(); s != "warning websocket: slow (×3)" {
		t.Errorf("String = %q", s)
	}
}
