package window

import (
	"errors"
	"strings"
	"testing"

	"mbotdraw/robot"
)

// A robot that restarts mid-drawing (its batteries sag and the board resets)
// must show up as an alert in the performance overlay, not pass unnoticed.
func TestRobotRestartRaisesAnAlert(t *testing.T) {
	ps, err := newPerfSys("", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps.robotTraffic(robot.Traffic{Kind: robot.TrafficReset, Err: errors.New("boot banner")})
	alerts := ps.mon.ActiveAlerts()
	if len(alerts) == 0 || !strings.Contains(alerts[0].Message, "restarted") {
		t.Fatalf("alerts after a robot restart: %+v; want one saying it restarted", alerts)
	}
}
