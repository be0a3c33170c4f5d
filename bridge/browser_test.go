package bridge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

const chromiumPath = "/usr/bin/chromium"

// cdp is a minimal Chrome DevTools Protocol client over one page's
// WebSocket.
type cdp struct {
	t      *testing.T
	conn   *websocket.Conn
	mu     sync.Mutex
	id     int
	waits  map[int]chan cdpReply
	closed chan struct{}
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func dialCDP(t *testing.T, url string) *cdp {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("DevTools %s: %v", url, err)
	}
	c := &cdp{t: t, conn: conn, waits: map[int]chan cdpReply{}, closed: make(chan struct{})}
	go func() {
		defer close(c.closed)
		for {
			var m struct {
				ID int `json:"id"`
				cdpReply
			}
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			c.mu.Lock()
			ch := c.waits[m.ID]
			delete(c.waits, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m.cdpReply
			}
		}
	}()
	return c
}

func (c *cdp) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.mu.Lock()
	c.id++
	id := c.id
	ch := make(chan cdpReply, 1)
	c.waits[id] = ch
	err := c.conn.WriteJSON(map[string]any{"id": id, "method": method, "params": params})
	c.mu.Unlock()
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			c.t.Fatalf("%s: %s", method, r.Error.Message)
		}
		return r.Result
	case <-c.closed:
		c.t.Fatalf("%s: DevTools connection closed", method)
	case <-time.After(15 * time.Second):
		c.t.Fatalf("%s: no answer", method)
	}
	return nil
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out.
func (c *cdp) eval(expr string, out any) {
	c.t.Helper()
	res := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		c.t.Fatalf("eval %s: %v", expr, err)
	}
	if r.ExceptionDetails != nil {
		c.t.Fatalf("eval %s: %s", expr, r.ExceptionDetails.Text)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			c.t.Fatalf("eval %s = %s: %v", expr, r.Result.Value, err)
		}
	}
}

// until polls a boolean expression for up to 10 s.
func (c *cdp) until(expr string) {
	c.t.Helper()
	c.waitFor(expr, 10*time.Second)
}

func (c *cdp) mouse(typ string, x, y float64, buttons int) {
	c.t.Helper()
	p := map[string]any{"type": typ, "x": x, "y": y, "button": "left", "buttons": buttons, "pointerType": "mouse"}
	if typ != "mouseMoved" {
		p["clickCount"] = 1
	}
	c.call("Input.dispatchMouseEvent", p)
}

// drag draws a line with the mouse from (x0, y0) to (x1, y1) in n steps.
func (c *cdp) drag(x0, y0, x1, y1 float64, n int) {
	c.mouse("mousePressed", x0, y0, 1)
	for i := 1; i <= n; i++ {
		time.Sleep(4 * time.Millisecond)
		k := float64(i) / float64(n)
		c.mouse("mouseMoved", x0+(x1-x0)*k, y0+(y1-y0)*k, 1)
	}
	c.mouse("mouseReleased", x1, y1, 0)
}

type rect struct{ X, Y, Width, Height float64 }

func (c *cdp) rectOf(id string) rect {
	var r rect
	c.eval(fmt.Sprintf(`(() => { const r = document.getElementById(%q).getBoundingClientRect(); return {X: r.x, Y: r.y, Width: r.width, Height: r.height}; })()`, id), &r)
	return r
}

func (c *cdp) click(id string) {
	r := c.rectOf(id)
	x, y := r.X+r.Width/2, r.Y+r.Height/2
	c.mouse("mousePressed", x, y, 1)
	c.mouse("mouseReleased", x, y, 0)
}

// startChromium opens url in headless Chromium and returns a DevTools
// client on its page; extra flags go before the URL.
// needChromium skips the test (what it is, in words) where headless
// Chromium is not installed.
func needChromium(t *testing.T, what string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("skipping %s: headless Chromium is not installed at %s (build/deps.sh installs Debian's chromium)", what, chromiumPath)
	}
}

func startChromium(t *testing.T, url string, extra ...string) *cdp {
	t.Helper()
	// Chromium's helpers go on writing into the profile for a moment after
	// the browser is killed, so the profile is removed with retries.
	profile, err := os.MkdirTemp("", "mbotdraw-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-breakpad", "--disable-crash-reporter",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "--window-size=1200,800")
	cmd.Args = append(append(cmd.Args, extra...), url)
	// Its own process group, so that its helper processes end with it.
	cmd.SysProcAttr = ownProcessGroup()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	t.Cleanup(func() {
		killProcessGroup(cmd.Process)
		_ = cmd.Wait()
		for i := 0; i < 50; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`DevTools listening on (ws://[^\s]+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	var browserURL string
	select {
	case browserURL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("Chromium did not start its DevTools server within 30 s")
	}
	host := strings.TrimPrefix(browserURL, "ws://")
	host = host[:strings.Index(host, "/")]
	// The page's own DevTools endpoint.
	var pageURL string
	for deadline := time.Now().Add(10 * time.Second); pageURL == "" && time.Now().Before(deadline); {
		resp, err := http.Get("http://" + host + "/json/list")
		if err == nil {
			var targets []struct {
				Type, URL            string
				WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
			for _, tg := range targets {
				if tg.Type == "page" && strings.HasPrefix(tg.URL, url) {
					pageURL = tg.WebSocketDebuggerURL
				}
			}
		}
		if pageURL == "" {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if pageURL == "" {
		t.Fatal("Chromium has no page for " + url)
	}
	c := dialCDP(t, pageURL)
	t.Cleanup(func() { c.conn.Close() })
	return c
}

// companionDrawing has two strokes, the first beginning at 100 ms.
func companionDrawing() *playback.Drawing {
	d := playback.NewDrawing(400, 300)
	d.BeginStroke(color.RGBA{200, 30, 30, 255}, 4)
	for i := 0; i <= 10; i++ {
		d.AddPoint(float32(40+20*i), 80, float32(100+50*i))
	}
	d.BeginStroke(color.RGBA{30, 30, 200, 255}, 6)
	for i := 0; i <= 10; i++ {
		d.AddPoint(200, float32(100+15*i), float32(800+40*i))
	}
	return d
}

func TestCompanionPageInChromium(t *testing.T) {
	needChromium(t, "the browser test")
	live := NewLive(LiveOptions{})
	srv := httptest.NewServer(live.Handler())
	defer srv.Close()
	defer func() { _ = live.Shutdown(context.Background()) }()
	d := companionDrawing()
	live.SetDrawing(timing(t, d))
	live.Publish(Playback{T: 0, Duration: d.Duration(), Speed: 1, Strokes: 2})

	page := startChromium(t, srv.URL+"/")
	page.until("window.companion && companion.connected && companion.state.drawing.strokes.length === 2")

	// The view shows the playback live: nothing at 0, everything at the end.
	page.until("companion.revealedStrokes() === 0")
	live.Publish(Playback{T: 850, Duration: d.Duration(), Speed: 1, Strokes: 2, Stroke: 2})
	page.until("companion.revealedStrokes() === 2")

	// Draw two strokes on the pad with pointer events: across, then down
	// with "robot draws it too" ticked.
	pad := page.rectOf("pad")
	cx, cy := pad.X+pad.Width/2, pad.Y+pad.Height/2
	page.drag(cx-100, cy, cx+100, cy, 25)
	page.click("robot")
	page.drag(cx, cy-80, cx, cy+80, 20)

	var strokes [2][]playback.Point
	var robots [2]bool
	ends := 0
	timeout := time.After(15 * time.Second)
	for ends < 2 {
		select {
		case ps := <-live.Pad():
			if ps.Stroke < 0 || ps.Stroke > 1 {
				t.Fatalf("stroke number %d, want 0 or 1", ps.Stroke)
			}
			strokes[ps.Stroke] = append(strokes[ps.Stroke], ps.Points...)
			robots[ps.Stroke] = ps.Robot
			if ps.Stroke == 0 && ps.Color != (color.RGBA{0x1e, 0x88, 0xe5, 255}) {
				t.Errorf("stroke colour %v, want the default blue #1e88e5", ps.Color)
			}
			if ps.End {
				ends++
			}
		case <-timeout:
			t.Fatalf("the window got %d finished strokes from the page, want 2", ends)
		}
	}
	if robots[0] || !robots[1] {
		t.Errorf("robot flags %v, want only the second stroke for the robot", robots)
	}
	var prevT float32 = -1
	for i, s := range strokes {
		if len(s) < 10 {
			t.Fatalf("stroke %d has %d points, want the drag's 20 or more", i, len(s))
		}
		for _, p := range s {
			if p.T < prevT {
				t.Fatalf("stroke %d: time went back from %v to %v ms", i, prevT, p.T)
			}
			prevT = p.T
			if p.X < 0 || p.X > 400 || p.Y < 0 || p.Y > 300 {
				t.Errorf("stroke %d: point (%v, %v) off the 400x300 drawing", i, p.X, p.Y)
			}
		}
		if !(s[len(s)-1].T > s[0].T) {
			t.Errorf("stroke %d: times do not increase (%v … %v)", i, s[0].T, s[len(s)-1].T)
		}
	}
	if !(strokes[1][0].T > strokes[0][len(strokes[0])-1].T) {
		t.Error("the second stroke does not begin after the first ended")
	}
	// The first went left to right, the second top to bottom, through the middle.
	a, b := strokes[0][0], strokes[0][len(strokes[0])-1]
	if !(b.X-a.X > 100) || math.Abs(float64(b.Y-a.Y)) > 2 || math.Abs(float64(a.Y)-150) > 5 {
		t.Errorf("first stroke from (%v,%v) to (%v,%v); want a horizontal line across the middle", a.X, a.Y, b.X, b.Y)
	}
	a, b = strokes[1][0], strokes[1][len(strokes[1])-1]
	if !(b.Y-a.Y > 50) || math.Abs(float64(b.X-a.X)) > 2 || math.Abs(float64(a.X)-200) > 5 {
		t.Errorf("second stroke from (%v,%v) to (%v,%v); want a vertical line down the middle", a.X, a.Y, b.X, b.Y)
	}

	// The pad saves as mbotdraw JSON that our loader reads back.
	var saved string
	page.eval("companion.exportJSON()", &saved)
	ds, err := format.Decode("pad.mbd.json", []byte(saved), format.Options{})
	if err != nil {
		t.Fatalf("saved pad does not load: %v\n%s", err, saved)
	}
	if got := ds[0]; len(got.Strokes) != 2 || got.NumPoints() != len(strokes[0])+len(strokes[1]) {
		t.Errorf("saved pad has %d strokes and %d points; want 2 and %d", len(got.Strokes), got.NumPoints(), len(strokes[0])+len(strokes[1]))
	}

	// Clear empties the pad, not its clock: a stroke drawn after it keeps
	// its rhythm (its times grow with the drag), after the strokes before.
	// A restarted clock would put its times below the last stroke's, which
	// the bridge holds at that stroke's end: every point at one time.
	page.click("clear")
	page.until("companion.padStrokes() === 0")
	page.drag(cx-60, cy+40, cx+60, cy+40, 10)
	var after []playback.Point
	for done := false; !done; {
		select {
		case ps := <-live.Pad():
			if ps.Action == PadClear {
				continue // tested in TestCompanionUndoClearAndOffline
			}
			if ps.Stroke != 2 {
				t.Fatalf("stroke number %d after Clear, want 2", ps.Stroke)
			}
			after = append(after, ps.Points...)
			done = ps.End
		case <-time.After(15 * time.Second):
			t.Fatal("the window got no stroke drawn after Clear")
		}
	}
	if len(after) < 5 || !(after[0].T >= prevT) {
		t.Fatalf("after Clear: %d points from %v ms, want the drag's from after %v ms", len(after), after[0].T, prevT)
	}
	if span := after[len(after)-1].T - after[0].T; !(span >= 30) {
		t.Errorf("the stroke drawn after Clear spans %v ms of pad time (%v … %v), want the drag's 40 ms or more",
			span, after[0].T, after[len(after)-1].T)
	}
	// The pad saved now holds that stroke, its times counted from 0.
	page.eval("companion.exportJSON()", &saved)
	var file struct {
		Strokes []struct{ Points [][3]float64 }
	}
	if err := json.Unmarshal([]byte(saved), &file); err != nil || len(file.Strokes) != 1 ||
		len(file.Strokes[0].Points) != len(after) || file.Strokes[0].Points[0][2] != 0 {
		t.Errorf("pad saved after Clear (%v): %.300s, want the one stroke from t = 0", err, saved)
	}

	// The controls command the window.
	page.click("play")
	expectCmd(t, live, CmdPlay)
	page.eval(`(() => { const s = document.getElementById("speed"); s.value = "4"; s.dispatchEvent(new Event("change")); })()`, nil)
	if c := expectCmd(t, live, CmdSpeed); c.Speed != 4 {
		t.Errorf("speed %v, want 4", c.Speed)
	}
	page.eval(`(() => { const s = document.getElementById("seek"); s.value = "500"; s.dispatchEvent(new Event("change")); })()`, nil)
	if c := expectCmd(t, live, CmdSeek); math.Abs(c.T-d.Duration()/2) > 1 {
		t.Errorf("seek to %v ms, want %v", c.T, d.Duration()/2)
	}

	if path := os.Getenv("MBOTDRAW_COMPANION_SCREENSHOT"); path != "" {
		var shot struct{ Data []byte }
		_ = json.Unmarshal(page.call("Page.captureScreenshot", map[string]any{"format": "png"}), &shot)
		_ = os.WriteFile(path, shot.Data, 0o644)
	}
}

func expectCmd(t *testing.T, live *Live, kind CommandKind) Command {
	t.Helper()
	select {
	case c := <-live.Commands():
		if c.Kind != kind {
			t.Fatalf("command %v, want %v", c.Kind, kind)
		}
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("no %v command from the page", kind)
	}
	return Command{}
}

// Strokes drawn while the connection is down reach the window when it comes
// back, however many pieces wait: more than the server lets a page send at
// once (400) must not be dropped for going over its rate.
func TestCompanionSendsStrokesDrawnOffline(t *testing.T) {
	live, down, srv := flakyCompanion(t)
	live.SetDrawing(timing(t, companionDrawing()))

	page := startChromium(t, srv.URL+"/")
	page.until("window.companion && companion.connected")
	down.Store(true)
	page.eval("companion.state.ws.close()", nil)
	page.until("!companion.connected")
	// One long stroke in 300 pieces, then 150 one-point strokes: 450 pieces.
	page.eval(`(() => {
		const pad = (stroke, x, t, end) => companion.send({type: "pad", stroke, color: "#1e88e5", width: 4, points: [[x, 7, t]], end, robot: false});
		for (let i = 0; i < 300; i++) pad(0, i, i, i === 299);
		for (let k = 1; k <= 150; k++) pad(k, k, 300 + k, true);
	})()`, nil)
	down.Store(false)

	points := map[int][]playback.Point{}
	ends := 0
	timeout := time.After(20 * time.Second)
	for ends < 151 {
		select {
		case ps := <-live.Pad():
			points[ps.Stroke] = append(points[ps.Stroke], ps.Points...)
			if ps.End {
				ends++
			}
		case <-timeout:
			var info string
			page.eval(`document.getElementById("info").textContent`, &info)
			t.Fatalf("the window got %d of the 151 strokes drawn offline (page says %q)", ends, info)
		}
	}
	if got := points[0]; len(got) != 300 || got[0].X != 0 || got[299].X != 299 {
		t.Errorf("the long stroke came as %d points, want its 300 in order", len(got))
	}
	for k := 1; k <= 150; k++ {
		if len(points[k]) != 1 {
			t.Fatalf("stroke %d came with %d points, want 1", k, len(points[k]))
		}
	}
}

// flakyCompanion starts a live companion for a browser test (skipping the
// test when Chromium is missing) whose /live endpoint answers 503 while
// down is set, as a page sees a dropped link. It shuts down with the test.
func flakyCompanion(t *testing.T) (*Live, *atomic.Bool, *httptest.Server) {
	t.Helper()
	needChromium(t, "the browser test")
	live := NewLive(LiveOptions{})
	down := new(atomic.Bool)
	h := live.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() && r.URL.Path == "/live" {
			http.Error(w, "503 down for the test", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		_ = live.Shutdown(context.Background())
		srv.Close()
	})
	return live, down, srv
}
