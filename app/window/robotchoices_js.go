package window

import (
	"net/url"
	"strings"
	"sync"
	"syscall/js"

	"mbotdraw/robot/link"
)

// In the browser a page cannot list the computer's serial ports. Its robots
// are the virtual mBot and, when the page came from a classroom bridge
// (`mbotdraw bridge --serve-player`), that bridge's robot, at the page's own
// origin: index.html asks the bridge (bridge.InfoPath) while the program
// loads and leaves the answer as mbotdraw.bridge ({"robot": "/robot"}; null
// from `serve`).

// pageBridge is the bridge's robot, found once.
var pageBridge struct {
	once sync.Once
	url  string
}

// bridgeRobot returns the robot of the bridge that served the page — ws://
// (wss:// for an https page) at the page's host, with the page's ?token= —
// or "" when the page did not come from a bridge.
func bridgeRobot() string {
	pageBridge.once.Do(func() {
		b := pageObject().Get("bridge")
		if b.Type() != js.TypeObject {
			return
		}
		p := b.Get("robot")
		if p.Type() != js.TypeString || !strings.HasPrefix(p.String(), "/") {
			return
		}
		loc := js.Global().Get("location")
		u := url.URL{Scheme: "ws", Host: loc.Get("host").String(), Path: p.String()}
		if loc.Get("protocol").String() == "https:" {
			u.Scheme = "wss"
		}
		if tok := pageParam("token"); tok != "" {
			u.RawQuery = url.Values{"token": {tok}}.Encode()
		}
		pageBridge.url = u.String()
	})
	return pageBridge.url
}

// pageParam returns the page URL's query parameter name ("" if none).
func pageParam(name string) string {
	search := js.Global().Get("location").Get("search").String()
	q, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
	if err != nil {
		return ""
	}
	return q.Get(name)
}

// robotChoices lists the robots C steps through in the browser: the virtual
// mBot, the bridge's robot if the page came from a bridge, and where the
// browser has Web Serial (Chrome, Edge, ChromeOS) the mBot on a USB cable,
// in the port the user picks in the browser's list (C's key press lets the
// page show it).
func robotChoices() []string {
	out := []string{"sim"}
	if b := bridgeRobot(); b != "" {
		out = append(out, b)
	}
	if link.HasWebSerial() {
		out = append(out, link.WebSerialSpec)
	}
	return out
}

// pageRobot is the robot R draws on when the window was given none
// (--robot): the page's ?robot= — sim, bridge (the bridge that served the
// page) or a ws:// URL — or else the bridge's robot when the page came from
// one (a child's R draws on the classroom robot), or "" (the virtual mBot).
func pageRobot() string {
	switch r := pageParam("robot"); r {
	case "", "bridge":
		return bridgeRobot()
	default:
		return r
	}
}

// pageRobotName names the bridge's robot for people ("" for any other
// robot): the classroom robot, and where it is.
func pageRobotName(spec string) string {
	if b := bridgeRobot(); b == "" || spec != b {
		return ""
	}
	return "the classroom robot at " + js.Global().Get("location").Get("host").String()
}
