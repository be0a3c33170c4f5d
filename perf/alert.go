package perf

import (
	"fmt"
	"sync"
	"time"
)

// Severity says how bad an alert is: info, warning or critical.
type Severity int

// Severities, from least to most severe.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityCritical
)

var severityNames = [...]string{"info", "warning", "critical"}

// String returns "info", "warning" or "critical".
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity's name, so JSON shows "warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if string(b) == n {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q (valid: info, warning, critical)", b)
}

// Category says what an alert is about.
type Category string

// Alert categories.
const (
	CategoryFrame     Category = "frame"
	CategoryMemory    Category = "memory"
	CategoryWebSocket Category = "websocket"
	CategoryRobot     Category = "robot"
)

// Alert is one condition worth telling the user about. Repeats of the same
// alert (same severity, category and key) within the dedup window are
// counted in Count and Last rather than stored again.
type Alert struct {
	// Time is when the alert was first raised, Last when it was last raised.
	Time     time.Time `json:"time"`
	Severity Severity  `json:"severity"`
	Category Category  `json:"category"`
	Message  string    `json:"message"`
	// Key identifies the condition for dedup (e.g. an invariant's name, so
	// that "p99 53ms" and "p99 61ms" are one alert); empty means Message.
	Key   string    `json:"key,omitempty"`
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// String formats the alert as one line, e.g.
// "warning websocket: websocket p99 62.0ms ≥ 50.0ms (×3)".
func (a Alert) String() string {
	s := fmt.Sprintf("%s %s: %s", a.Severity, a.Category, a.Message)
	if a.Count > 1 {
		s += fmt.Sprintf(" (×%d)", a.Count)
	}
	return s
}

func (a Alert) key() string {
	if a.Key != "" {
		return a.Key
	}
	return a.Message
}

// Default alert history bounds.
const (
	DefaultAlertHistory = 100
	DefaultAlertWindow  = 10 * time.Second
)

// AlertLog is a bounded history of alerts with dedup: the same alert raised
// again within the window of its last occurrence is counted, not stored
// twice; when the history is full the oldest alert is dropped. It is safe
// for concurrent use.
type AlertLog struct {
	mu      sync.Mutex
	window  time.Duration
	cap     int
	alerts  []Alert // oldest first
	dropped uint64
}

// NewAlertLog returns a log keeping at most capacity alerts (≤ 0:
// DefaultAlertHistory) that merges repeats within window (≤ 0:
// DefaultAlertWindow).
func NewAlertLog(capacity int, window time.Duration) *AlertLog {
	if capacity <= 0 {
		capacity = DefaultAlertHistory
	}
	if window <= 0 {
		window = DefaultAlertWindow
	}
	return &AlertLog{window: window, cap: capacity}
}

// Raise records a (a zero Time means now) and returns the stored alert and
// whether it is new (false: it was merged into a recent identical alert,
// whose Count, Last and Message were updated).
func (l *AlertLog) Raise(a Alert) (Alert, bool) {
	if a.Time.IsZero() {
		a.Time = time.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := a.key()
	for i := len(l.alerts) - 1; i >= 0; i-- {
		p := &l.alerts[i]
		if p.Severity == a.Severity && p.Category == a.Category && p.key() == k {
			if a.Time.Sub(p.Last) <= l.window && !a.Time.Before(p.Time) {
				p.Count++
				p.Last = a.Time
				p.Message = a.Message
				return *p, false
			}
			break
		}
	}
	a.Count, a.Last = 1, a.Time
	if len(l.alerts) == l.cap {
		copy(l.alerts, l.alerts[1:])
		l.alerts = l.alerts[:len(l.alerts)-1]
		l.dropped++
	}
	l.alerts = append(l.alerts, a)
	return a, true
}

// Alerts returns the history, oldest first.
func (l *AlertLog) Alerts() []Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Alert(nil), l.alerts...)
}

// Active returns the alerts last raised within the dedup window before now,
// most severe first, then newest first: what an overlay shows.
func (l *AlertLog) Active(now time.Time) []Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Alert
	for sev := SeverityCritical; sev >= SeverityInfo; sev-- {
		for i := len(l.alerts) - 1; i >= 0; i-- {
			a := l.alerts[i]
			if a.Severity == sev && now.Sub(a.Last) <= l.window {
				out = append(out, a)
			}
		}
	}
	return out
}

// Dropped returns how many alerts were dropped because the history was full.
func (l *AlertLog) Dropped() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// Reset empties the history.
func (l *AlertLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.alerts, l.dropped = nil, 0
}
