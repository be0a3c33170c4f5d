package window

import (
	"strings"
	"testing"
	"time"
)

// Issue 11: the performance overlay speaks to a teacher: a plain headline
// first, and a low frame rate always comes with its reason: our own work
// per frame, or the computer's time to show each frame.
func TestPerfVerdict(t *testing.T) {
	const budget = 16700 * time.Microsecond
	ms := time.Millisecond
	for _, tc := range []struct {
		name       string
		resting    bool
		fps        float64
		work, show time.Duration
		headline   string
		why        []string
		ok         bool
	}{
		{"idle", true, 0, 0, 0, "Idle: nothing moves", []string{"wakes"}, true},
		{"smooth", false, 60, 2 * ms, 14 * ms, "Smooth: 60 frames a second", []string{"2.0 ms of its 16.7 ms"}, true},
		{"slow screen", false, 4, 2 * ms, 240 * ms, "Busy: 4 frames a second, the computer is slow", []string{"Our work takes only 2.0 ms", "240.0 ms to show"}, false},
		{"a little slow", false, 40, 3 * ms, 22 * ms, "A little slow: 40 frames a second", []string{"only 3.0 ms", "22.0 ms to show"}, false},
		{"heavy drawing", false, 12, 80 * ms, 5 * ms, "Busy: 12 frames a second, the drawing is heavy", []string{"80.0 ms a frame", "quality goes down"}, false},
	} {
		v := verdict(tc.resting, tc.fps, tc.work, tc.show, budget)
		if !strings.HasPrefix(v.headline, tc.headline) || v.ok != tc.ok {
			t.Errorf("%s: headline %q (ok %v), want %q (ok %v)", tc.name, v.headline, v.ok, tc.headline, tc.ok)
		}
		for _, w := range tc.why {
			if !strings.Contains(v.why, w) {
				t.Errorf("%s: why %q does not say %q", tc.name, v.why, w)
			}
		}
		if strings.Contains(v.headline+v.why, "fps") {
			t.Errorf("%s: %q says fps, not frames a second", tc.name, v.headline+v.why)
		}
	}
}
