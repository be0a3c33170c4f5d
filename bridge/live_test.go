package bridge

import (
	"context"
	"encoding/json"
	"image/color"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
	"mbotdraw/playback"
)

func newTestLive(t *testing.T, o LiveOptions) (*Live, *httptest.Server) {
	t.Helper()
	l := NewLive(o)
	srv := httptest.NewServer(l.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = l.Shutdown(context.Background())
	})
	return l, srv
}

func TestLiveRelaysPadStrokesAndCommands(t *testing.T) {
	l, srv := newTestLive(t, LiveOptions{})
	c := dialTest(t, wsURL(srv, "/live"), nil)
	c.send(wire.Message{Type: wire.TypePad, Stroke: 0, Color: "#ff8000", Width: 3,
		Points: [][3]float64{{10, 20, 0}, {12, 22, 16}}})
	// A point whose time goes back is clamped: times never decrease.
	c.send(wire.Message{Type: wire.TypePad, Stroke: 0, Color: "#ff8000", Width: 3,
		Points: [][3]float64{{14, 24, 10}, {16, 26, 40}}, End: true, Robot: true})
	c.send(wire.Message{Type: wire.TypeSeek, T: 1500})
	c.send(wire.Message{Type: wire.TypeSpeed, Speed: 2})
	c.send(wire.Message{Type: wire.TypePlay})
	c.send(wire.Message{Type: wire.TypePause})

	p1, p2 := <-l.Pad(), <-l.Pad()
	if p1.Stroke != 0 || len(p1.Points) != 2 || p1.End || p1.Color.R != 0xff || p1.Color.G != 0x80 || p1.Width != 3 {
		t.Errorf("first piece %+v", p1)
	}
	if !p2.End || !p2.Robot || p2.Points[0].T != 16 || p2.Points[1].T != 40 || p2.Page != p1.Page {
		t.Errorf("second piece %+v: want the end, for the robot, times 16 and 40 on the same page", p2)
	}
	for _, want := range []Command{{Kind: CmdSeek, T: 1500}, {Kind: CmdSpeed, Speed: 2}, {Kind: CmdPlay}, {Kind: CmdPause}} {
		got := <-l.Commands()
		got.Page = 0
		if got != want {
			t.Errorf("command %+v, want %+v", got, want)
		}
	}
	// Robot-endpoint messages are not for pages.
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: []wire.Move{{Kind: wire.PenUp}}})
	if e := c.nextType(wire.TypeError); !strings.Contains(e.Message, "not used on /live") {
		t.Errorf("error %q", e.Message)
	}
	c.roundTrip(3)
}

func TestLiveSendsDrawingAndPlaybackToPages(t *testing.T) {
	l, srv := newTestLive(t, LiveOptions{})
	d := companionDrawing()
	l.SetDrawing(timing(t, d))
	l.Publish(Playback{T: 10, Duration: d.Duration(), Playing: true, Speed: 2, Strokes: 2})
	// A page that connects later gets both.
	c := dialTest(t, wsURL(srv, "/live"), nil)
	pb := c.nextType(wire.TypePlayback)
	if pb.T != 10 || !pb.Playing || pb.Speed != 2 || pb.Strokes != 2 || pb.Duration != d.Duration() {
		t.Errorf("playback %+v", pb)
	}
	// The drawing message is decoded by the page, not by package wire; read it raw.
	d2 := dialRaw(t, wsURL(srv, "/live"))
	_, data, err := d2.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.HasPrefix(s, `{"type":"drawing","width":400,"height":300,`) || strings.Count(s, `"points"`) != 2 ||
		!strings.Contains(s, `"color":"#c81e1e"`) || !strings.Contains(s, `40,80,100,60,80,150`) {
		t.Errorf("drawing message %.200s…", s)
	}
	// A seek (the time jumps) goes out at once.
	l.Publish(Playback{T: 1000, Duration: d.Duration(), Speed: 2, Strokes: 2})
	if pb := c.next("the seek", func(m wire.Message) bool { return m.Type == wire.TypePlayback && m.T == 1000 }); pb.Playing {
		t.Error("paused state arrived as playing")
	}
}

// timing is d's playback times as the window's clock plays them.
func timing(t *testing.T, d *playback.Drawing) *playback.Timing {
	t.Helper()
	tm, err := playback.NewTiming(d, playback.Pacing{})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestLiveDrawingHasPlaybackTimes: the drawing sent to pages carries the
// window clock's times, not the recorded ones: a pause of 5 s between two
// strokes, which the clock shortens to 1 s, reaches the pages as 1 s (or
// the page would draw the second stroke 4 s after the window); under
// uniform pacing the times are the uniform ones.
func TestLiveDrawingHasPlaybackTimes(t *testing.T) {
	d := playback.NewDrawing(400, 300)
	d.BeginStroke(color.RGBA{200, 30, 30, 255}, 4)
	for i := range 6 {
		d.AddPoint(float32(40+20*i), 80, float32(100*i)) // 0 … 500 ms
	}
	d.BeginStroke(color.RGBA{30, 30, 200, 255}, 4)
	for i := range 6 {
		d.AddPoint(200, float32(100+20*i), float32(5500+100*i)) // 5 s later
	}
	uniform, err := playback.NewTiming(d, playback.Pacing{Uniform: true, SegmentMs: 10, StrokeGapMs: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tm   *playback.Timing
		want [2][]float64 // each stroke's point times
	}{
		{"recorded, pause shortened", timing(t, d), [2][]float64{{0, 100, 200, 300, 400, 500}, {1500, 1600, 1700, 1800, 1900, 2000}}},
		{"uniform", uniform, [2][]float64{{0, 10, 20, 30, 40, 50}, {250, 260, 270, 280, 290, 300}}},
	} {
		var m struct {
			Strokes []struct{ Points []float64 }
		}
		if err := json.Unmarshal(encodeDrawing(c.tm, 0), &m); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(m.Strokes) != 2 {
			t.Fatalf("%s: %d strokes", c.name, len(m.Strokes))
		}
		for s, st := range m.Strokes {
			var got []float64
			for k := 2; k < len(st.Points); k += 3 {
				got = append(got, st.Points[k])
			}
			if !slices.Equal(got, c.want[s]) {
				t.Errorf("%s: stroke %d times %v, want %v", c.name, s, got, c.want[s])
			}
		}
		if last := c.want[1][5]; last != c.tm.Duration() {
			t.Errorf("%s: the last point at %v ms, the clock's duration is %v", c.name, last, c.tm.Duration())
		}
	}
}

func dialRaw(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{EnableCompression: true}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestLiveTokenGuardsPageAndSocket(t *testing.T) {
	_, srv := newTestLive(t, LiveOptions{Token: "t0k"})
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/"); code != 401 {
		t.Errorf("page without token: %d, want 401", code)
	}
	if code, body := get("/?token=t0k"); code != 200 || !strings.Contains(body, "companion.js") {
		t.Errorf("page with token: %d", code)
	}
	if code, body := get("/companion.js?token=t0k"); code != 200 || !strings.Contains(body, "new WebSocket") {
		t.Errorf("script with token: %d", code)
	}
	if code, _ := get("/secret.txt?token=t0k"); code != 404 {
		t.Errorf("unknown file: %d, want 404", code)
	}
	if got := dialStatus(t, wsURL(srv, "/live"), nil); got != 401 {
		t.Errorf("socket without token: %d, want 401", got)
	}
	if got := dialStatus(t, wsURL(srv, "/live?token=t0k"), nil); got != 0 {
		t.Errorf("socket with token: %d, want a connection", got)
	}
	if got := dialStatus(t, wsURL(srv, "/live?token=t0k"), http.Header{"Origin": {"http://evil.example"}}); got != 403 {
		t.Errorf("socket from a foreign page: %d, want 403", got)
	}
}

func TestLiveStalledPageCostsNothing(t *testing.T) {
	l, srv := newTestLive(t, LiveOptions{})
	stalled := dialRaw(t, wsURL(srv, "/live")) // never reads
	_ = stalled
	good := dialTest(t, wsURL(srv, "/live"), nil)
	big := playback.Generate(playback.GenOptions{Strokes: 1000, Seed: 1})
	for i := 0; i < 10; i++ {
		l.SetDrawing(timing(t, big))
		l.Publish(Playback{T: float64(i * 1000), Duration: big.Duration(), Strokes: len(big.Strokes)})
	}
	l.Publish(Playback{T: 123456, Duration: big.Duration(), Strokes: len(big.Strokes)})
	good.next("the latest playback", func(m wire.Message) bool { return m.Type == wire.TypePlayback && m.T == 123456 })
	good.roundTrip(1)
}

func TestLiveListenNeedsTokenBeyondLoopback(t *testing.T) {
	if _, err := Listen("0.0.0.0:0", ""); err == nil {
		t.Error("Listen on every interface without a token was allowed")
	}
	ln, err := Listen("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	_ = time.Second
}

// Every pad stroke and command queued for the window wakes it (a window
// that rests while nothing moves would otherwise never take them).
func TestLiveWakesTheWindow(t *testing.T) {
	var woken atomic.Int32
	l, srv := newTestLive(t, LiveOptions{Wake: func() { woken.Add(1) }})
	c := dialTest(t, wsURL(srv, "/live"), nil)
	c.send(wire.Message{Type: wire.TypePad, Stroke: 0, Color: "#ff8000", Width: 3,
		Points: [][3]float64{{10, 20, 0}, {12, 22, 16}}, End: true})
	c.send(wire.Message{Type: wire.TypePlay})
	<-l.Pad()
	<-l.Commands()
	c.roundTrip(1)
	if got := woken.Load(); got != 2 {
		t.Errorf("woken %d times for a stroke and a command, want 2", got)
	}
}

// A page cannot grow the window's drawing without end: points per stroke,
// strokes per drawing and points per second are capped, and the page is
// told why.
func TestLiveCapsWhatPagesDraw(t *testing.T) {
	l, srv := newTestLive(t, LiveOptions{MaxStrokePoints: 100, MaxStrokes: 3, PointRate: 1e6})
	c := dialTest(t, wsURL(srv, "/live"), nil)
	piece := func(stroke, n int, end bool) wire.Message {
		pts := make([][3]float64, n)
		for i := range pts {
			pts[i] = [3]float64{float64(i), 1, float64(i)}
		}
		return wire.Message{Type: wire.TypePad, Stroke: stroke, Color: "#000000", Width: 2, Points: pts, End: end}
	}
	got := map[int]int{} // points the window got per stroke
	take := func(stroke int) {
		t.Helper()
		for {
			select {
			case ps := <-l.Pad():
				got[ps.Stroke] += len(ps.Points)
				if ps.End && ps.Stroke == stroke {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("stroke %d never ended", stroke)
			}
		}
	}
	// A stroke of 300 points in three pieces: 100 are drawn.
	c.send(piece(0, 100, false))
	c.send(piece(0, 100, false))
	c.send(piece(0, 100, true))
	take(0)
	if e := c.nextType(wire.TypeError); !strings.Contains(e.Message, "longer than 100 points") {
		t.Errorf("error %q, want the stroke's cap", e.Message)
	}
	c.send(piece(1, 10, true))
	take(1)
	c.send(piece(2, 10, true))
	take(2)
	// The fourth stroke is one too many: refused, whole.
	c.send(piece(3, 10, true))
	if e := c.nextType(wire.TypeError); !strings.Contains(e.Message, "3 strokes") {
		t.Errorf("error %q, want the drawing's cap", e.Message)
	}
	c.send(wire.Message{Type: wire.TypeClear})
	c.send(piece(4, 10, true))
	take(4)
	if want := map[int]int{0: 100, 1: 10, 2: 10, 4: 10}; !maps.Equal(got, want) {
		t.Errorf("the window got %v points per stroke, want %v", got, want)
	}

	// Points per second: a page that sends faster is read slower, and
	// nothing it drew is lost; the drawing's points are capped.
	l2, srv2 := newTestLive(t, LiveOptions{PointRate: 2000, MaxDrawingPoints: 9000})
	c2 := dialTest(t, wsURL(srv2, "/live"), nil)
	for i := 0; i < 10; i++ {
		c2.send(piece(i, 1000, true))
	}
	n := 0
	for i := 0; i < 10; i++ {
		select {
		case ps := <-l2.Pad():
			n += len(ps.Points)
		case <-time.After(20 * time.Second):
			t.Fatalf("stroke %d never came", i)
		}
	}
	if n != 9000 {
		t.Errorf("the window got %d points, want the 9,000 the drawing may have", n)
	}
	if st := l2.Stats(); st.RateLimited == 0 {
		t.Error("10,000 points sent at once at 2,000 a second were not slowed down")
	}
	if e := c2.nextType(wire.TypeError); !strings.Contains(e.Message, "9000 points") {
		t.Errorf("error %q, want the drawing's cap", e.Message)
	}
}
