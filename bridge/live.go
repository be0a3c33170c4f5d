package bridge

import (
	"context"
	"image/color"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/assets"
	"mbotdraw/bridge/wire"
	"mbotdraw/perf"
	"mbotdraw/playback"
)

// LiveOptions configures a Live companion. The zero value is the documented
// default.
type LiveOptions struct {
	// Token, if set, must come with every request to the page and the
	// WebSocket (the page passes on the ?token=T it was opened with).
	Token       string
	Limits      Limits
	Compression Compression
	// Buffer is the capacity of the Pad and Commands channels (0: 1024). A
	// page whose strokes the window does not take waits: nothing is lost.
	Buffer int
	// MaxPoints bounds the points of the drawing sent to pages (0: 500,000);
	// a larger drawing is thinned evenly, keeping every stroke's ends.
	MaxPoints int
	// What the pages may draw into the window: MaxStrokePoints points in
	// one stroke (0: 10,000; the rest of a longer stroke is dropped),
	// MaxStrokes strokes and MaxDrawingPoints points from every page
	// together until one clears the drawing (0: 5,000 and 500,000; an Undo
	// gives a stroke back); what goes beyond is dropped and the page told
	// why. PointRate is how many points a second one page may send (0:
	// 2,000, and 4,096 at once): a page that sends more is read no faster,
	// so that nothing it drew is lost.
	MaxStrokePoints  int
	MaxStrokes       int
	MaxDrawingPoints int
	PointRate        float64
	// SaveEvery is the least time between two saves the pages ask for (the
	// page's Save, PadSave), all pages together (0: 3 s); a save is asked of
	// the window only when the pages drew, took back or cleared something
	// since the last one. So a hostile page cannot fill the computer's disk.
	SaveEvery time.Duration
	// Logf, if set, receives one line per notable event.
	Logf func(format string, a ...any)
	// OnRTT, if set, receives every WebSocket ping round trip to a page
	// (about one a second per page): hand it to perf.Monitor.RecordWebSocket.
	OnRTT func(rtt time.Duration)
	// Wake, if set, is called after a pad stroke or a command is queued on
	// Pad or Commands, from the page's goroutine: a window that rests while
	// nothing moves schedules a frame to take it.
	Wake func()
}

// Live is the live companion: it serves the embedded page at / and its
// WebSocket at /live, publishes the window's playback to every page, and
// hands the window what the pages send: pad strokes (Pad) and playback
// commands (Commands).
//
// The window calls SetDrawing (with its clock's timing) when the drawing
// changes and Publish every frame (Live sends at most 30 updates a second),
// and drains Pad and Commands in its Update without blocking.
type Live struct {
	h    *hub
	opts LiveOptions
	pad  chan PadStroke
	cmds chan Command

	ctx    context.Context
	cancel context.CancelFunc

	// strokes and points count what the pages drew since the last Clear
	// (MaxStrokes, MaxDrawingPoints).
	strokesMu sync.Mutex
	strokes   int
	points    int
	// edits counts the pad messages taken (pieces, undos, clears); a save
	// asked for at savedAt saw savedEdits of them (SaveEvery).
	edits, savedEdits uint64
	savedAt           time.Time

	mu       sync.Mutex
	drawing  []byte
	last     Playback
	lastSent time.Time
	pages    atomic.Uint64
	shutOnce sync.Once
}

// Slots of the live endpoint's broadcasts: the drawing before the playback
// state that refers to it.
const (
	slotDrawing = iota
	slotPlayback
)

// Playback is the window's playback state as pages show it.
type Playback struct {
	// T is the playback time and Duration the drawing's length, in ms.
	T, Duration float64
	// Playing says whether the clock runs; Speed is its factor (1 = real time).
	Playing bool
	Speed   float64
	// Stroke is how many strokes are revealed; Strokes how many there are.
	Stroke, Strokes int
}

// PadStroke is a piece of a stroke drawn on a page's pad. A stroke arrives
// as one or more pieces, in order, the last with End set; the window appends
// each piece's points to the stroke it began. The page's Undo and Clear come
// the same way (Action), in the order the page sent them among the pieces.
type PadStroke struct {
	// Action is what the message does: the zero value, PadDraw, is a piece
	// of a stroke; PadUndo takes back stroke Stroke of the page; PadClear
	// starts a new drawing (for the robot too when Robot is set).
	Action PadAction
	// Page identifies the page (one per connection, from 1); Stroke numbers
	// the stroke on its page, from 0.
	Page   uint64
	Stroke int
	// Color and Width (drawing units) are the pen's.
	Color color.RGBA
	Width float32
	// Points are the new points: X and Y in the drawing's units (the page's
	// pad shows the drawing's canvas), T in ms since the page's first stroke
	// began. T never decreases along a page's strokes.
	Points []playback.Point
	// End marks the stroke's last piece: the pen was lifted.
	End bool
	// Robot is set when the page's user asked for the stroke to be drawn by
	// the robot too.
	Robot bool
	// Reply, on a PadSave, sends the page the window's answer in plain
	// words ("Saved to Pictures/mbotdraw/…", or why not); the page shows it.
	// It may be called from any goroutine, once the page has gone too.
	Reply func(text string)
}

// PadAction says what a pad message does.
type PadAction int

// Pad actions.
const (
	PadDraw  PadAction = iota // a piece of a stroke
	PadUndo                   // take back a stroke
	PadClear                  // start a new drawing
	PadSave                   // save the drawing on the window's computer (Reply says where)
)

// SaveEvery is the default of LiveOptions.SaveEvery.
const SaveEvery = 3 * time.Second

// CommandKind says what a page asks of the playback.
type CommandKind int

// Playback commands from pages.
const (
	CmdPlay  CommandKind = iota + 1 // start or continue playing
	CmdPause                        // stop the clock
	CmdSeek                         // jump to Command.T
	CmdSpeed                        // set the speed to Command.Speed
)

func (k CommandKind) String() string {
	switch k {
	case CmdPlay:
		return "play"
	case CmdPause:
		return "pause"
	case CmdSeek:
		return "seek"
	case CmdSpeed:
		return "speed"
	}
	return "CommandKind(" + strconv.Itoa(int(k)) + ")"
}

// Command is a playback command from a page.
type Command struct {
	Kind CommandKind
	// T is the time to seek to, in ms (CmdSeek).
	T float64
	// Speed is the new speed, 0.25 to 16 (CmdSpeed).
	Speed float64
	// Page is the page that sent it.
	Page uint64
}

// livePeer is a page's record.
type livePeer struct {
	page  uint64
	lastT float64
	// The stroke being drawn: its number, its points so far, whether it was
	// refused or cut.
	stroke       int
	strokePoints int
	inStroke     bool
	refused, cut bool
	points       bucket // points a second
}

// NewLive returns a companion with no drawing yet.
func NewLive(o LiveOptions) *Live {
	if o.Buffer <= 0 {
		o.Buffer = 1024
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = 500_000
	}
	if o.MaxStrokePoints <= 0 {
		o.MaxStrokePoints = 10_000
	}
	if o.MaxStrokes <= 0 {
		o.MaxStrokes = 5_000
	}
	if o.PointRate <= 0 {
		o.PointRate = 2_000
	}
	if o.SaveEvery <= 0 {
		o.SaveEvery = SaveEvery
	}
	if o.MaxDrawingPoints <= 0 {
		o.MaxDrawingPoints = 500_000
	}
	l := &Live{h: newHub(o.Token, o.Limits, o.Compression, o.Logf, o.OnRTT), opts: o,
		pad: make(chan PadStroke, o.Buffer), cmds: make(chan Command, o.Buffer)}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

// Pad delivers the pages' pad strokes, piece by piece.
func (l *Live) Pad() <-chan PadStroke { return l.pad }

// Commands delivers the pages' playback commands.
func (l *Live) Commands() <-chan Command { return l.cmds }

// Handler serves the page (/, /companion.js, /companion.css) and the /live
// WebSocket. The page needs the token like the WebSocket does.
func (l *Live) Handler() http.Handler {
	files := http.FileServerFS(assets.Companion())
	mux := http.NewServeMux()
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		l.h.serveWS(w, r, handlers{open: l.open, message: l.message})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r, l.h.token) {
			l.h.st.unauthorized.Add(1)
			http.Error(w, "401 unauthorized: open the page with ?token=T", http.StatusUnauthorized)
			return
		}
		if !originAllowed(r, l.h.token) {
			l.h.forbid(w, r)
			return
		}
		switch r.URL.Path {
		case "/", "/index.html", "/companion.js", "/companion.css":
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:")
		files.ServeHTTP(w, r)
	})
	return mux
}

// Serve serves the companion on ln until ctx is done, then shuts it down.
// Use Listen to get a listener checked for a token.
func (l *Live) Serve(ctx context.Context, ln net.Listener) error {
	return serveHTTP(ctx, l.h.admit(ln), l.Handler(), l.Shutdown)
}

// Shutdown closes every page (code 1001) and stops delivering.
func (l *Live) Shutdown(ctx context.Context) error {
	l.shutOnce.Do(func() {
		l.cancel()
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = time.Now().Add(5 * time.Second)
		}
		l.h.closeAll(websocket.CloseGoingAway, "window closing", deadline)
	})
	return nil
}

// Stats returns the connection statistics.
func (l *Live) Stats() Stats { return l.h.stats() }

// RTT returns a copy of the histogram of WebSocket ping round trips to the
// pages, for the performance monitor.
func (l *Live) RTT() perf.Histogram { return l.h.rttHistogram() }

// SetDrawing sends the drawing tm plays to every page (and to pages that
// connect later), which then show its playback: each point at its time on
// the window's clock (tm.PointTime, the time Publish's Playback.T counts
// in), so that a page draws each stroke when the window does, long pauses
// shortened alike. Safe for concurrent use; tm and its drawing are read
// during the call only.
func (l *Live) SetDrawing(tm *playback.Timing) {
	data := encodeDrawing(tm, l.opts.MaxPoints)
	// Under l.mu, so that a page opening at this moment (open) either gets
	// this drawing or is overwritten by it, never left with the old one.
	l.mu.Lock()
	defer l.mu.Unlock()
	l.drawing = data
	l.h.broadcast(slotDrawing, data)
}

// Publish sends the playback state to every page: at once when anything but
// the time changed or the time jumped, else at most 30 times a second while
// playing and once a second while nothing changes. Call it every frame.
func (l *Live) Publish(s Playback) {
	now := time.Now()
	l.mu.Lock()
	prev, since := l.last, now.Sub(l.lastSent)
	expected := prev.T
	if prev.Playing {
		expected += since.Seconds() * 1000 * prev.Speed
	}
	changed := s.Playing != prev.Playing || s.Speed != prev.Speed || s.Duration != prev.Duration ||
		s.Strokes != prev.Strokes || abs(s.T-expected) > 100
	if !changed && (since < 33*time.Millisecond || (!s.Playing && s == prev && since < time.Second)) {
		l.mu.Unlock()
		return
	}
	l.last, l.lastSent = s, now
	l.mu.Unlock()
	l.h.broadcast(slotPlayback, playbackMsg(s).Encode())
}

func playbackMsg(s Playback) wire.Message {
	return wire.Message{Type: wire.TypePlayback, T: s.T, Duration: s.Duration, Playing: s.Playing,
		Speed: s.Speed, Stroke: s.Stroke, Strokes: s.Strokes}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func (l *Live) open(p *peer) {
	p.data = &livePeer{page: l.pages.Add(1),
		points: bucket{rate: l.opts.PointRate, burst: wire.MaxPadPoints, tokens: wire.MaxPadPoints, last: time.Now()}}
	l.mu.Lock() // see SetDrawing
	defer l.mu.Unlock()
	if l.drawing != nil {
		p.setSlot(slotDrawing, outMsg{data: l.drawing})
	}
	p.setSlot(slotPlayback, outMsg{data: playbackMsg(l.last).Encode()})
}

func (l *Live) message(p *peer, m *wire.Message) {
	lp := p.data.(*livePeer)
	switch m.Type {
	case wire.TypePing:
		p.reply(wire.Message{Type: wire.TypePong, ID: m.ID})
	case wire.TypePong:
	case wire.TypePad:
		pts, ok := l.admitPoints(p, lp, m)
		if !ok {
			return
		}
		ps := PadStroke{Page: lp.page, Stroke: m.Stroke, Width: float32(m.Width), End: m.End, Robot: m.Robot,
			Color: parseColor(m.Color), Points: make([]playback.Point, len(pts))}
		for i, pt := range pts {
			t := max(pt[2], lp.lastT)
			lp.lastT = t
			ps.Points[i] = playback.Point{X: float32(pt[0]), Y: float32(pt[1]), T: float32(t)}
		}
		l.strokesMu.Lock()
		l.edits++
		l.strokesMu.Unlock()
		l.deliverPad(p, ps)
	case wire.TypeUndo:
		l.strokesMu.Lock()
		l.strokes = max(0, l.strokes-1)
		l.edits++
		l.strokesMu.Unlock()
		l.deliverPad(p, PadStroke{Action: PadUndo, Page: lp.page, Stroke: m.Stroke})
	case wire.TypeClear:
		l.strokesMu.Lock()
		l.strokes, l.points = 0, 0
		l.edits++
		l.strokesMu.Unlock()
		l.deliverPad(p, PadStroke{Action: PadClear, Page: lp.page, Robot: m.Robot})
	case wire.TypeSave:
		l.save(p, lp)
	case wire.TypePlay:
		l.deliverCmd(p, Command{Kind: CmdPlay, Page: lp.page})
	case wire.TypePause:
		l.deliverCmd(p, Command{Kind: CmdPause, Page: lp.page})
	case wire.TypeSeek:
		l.deliverCmd(p, Command{Kind: CmdSeek, T: m.T, Page: lp.page})
	case wire.TypeSpeed:
		l.deliverCmd(p, Command{Kind: CmdSpeed, Speed: m.Speed, Page: lp.page})
	default:
		p.sendError(m.Seq, "message type %q is not used on /live", m.Type)
	}
}

// admitPoints returns the points of pad message m the window takes, within
// the caps (LiveOptions), and false when the piece is dropped: every piece
// of a stroke refused, and a piece whose points were all dropped unless it
// ends its stroke (the window closes the stroke). The page is told why.
func (l *Live) admitPoints(p *peer, lp *livePeer, m *wire.Message) ([][3]float64, bool) {
	if !lp.inStroke || m.Stroke != lp.stroke {
		lp.inStroke, lp.stroke, lp.strokePoints, lp.refused, lp.cut = true, m.Stroke, 0, false, false
		l.strokesMu.Lock()
		if l.strokes >= l.opts.MaxStrokes {
			lp.refused = true
		} else {
			l.strokes++
		}
		l.strokesMu.Unlock()
		if lp.refused {
			p.sendError(0, "the drawing has %d strokes, as many as it may have: clear it to draw more", l.opts.MaxStrokes)
		}
	}
	if m.End {
		lp.inStroke = false
	}
	if lp.refused {
		return nil, false
	}
	pts := m.Points
	if room := l.opts.MaxStrokePoints - lp.strokePoints; len(pts) > room {
		pts = pts[:max(0, room)]
		if !lp.cut {
			lp.cut = true
			p.sendError(0, "stroke %d is longer than %d points: the rest of it is not drawn", m.Stroke, l.opts.MaxStrokePoints)
		}
	}
	l.strokesMu.Lock()
	room := l.opts.MaxDrawingPoints - l.points
	if len(pts) > room {
		pts = pts[:max(0, room)]
	}
	l.points += len(pts)
	l.strokesMu.Unlock()
	if len(pts) < len(m.Points) && room < len(m.Points) && !lp.cut {
		lp.cut = true
		p.sendError(0, "the drawing has %d points, as many as it may have: clear it to draw more", l.opts.MaxDrawingPoints)
	}
	lp.strokePoints += len(pts)
	// Over the rate, the page waits: its connection is read no faster.
	if d := lp.points.debt(time.Now()); d > 0 {
		p.h.st.rateLimited.Add(1)
		select {
		case <-time.After(d):
		case <-p.quit:
		case <-l.ctx.Done():
		}
	}
	lp.points.take(time.Now(), float64(len(pts)))
	return pts, len(pts) > 0 || len(m.Points) == 0 || m.End
}

// save asks the window to save the pad's drawing for the page, at most
// once every SaveEvery and only when something changed since the last save;
// otherwise the page is told why not.
func (l *Live) save(p *peer, lp *livePeer) {
	now := time.Now()
	l.strokesMu.Lock()
	same, soon, never := l.edits == l.savedEdits, now.Sub(l.savedAt) < l.opts.SaveEvery, l.savedAt.IsZero()
	if !same && !soon {
		l.savedEdits, l.savedAt = l.edits, now
	}
	l.strokesMu.Unlock()
	reply := func(text string) { p.send(wire.Message{Type: wire.TypeSaved, Message: text}.Encode()) }
	switch {
	case same && never:
		reply("Nothing to save on the computer yet: draw something first.")
	case same:
		reply("Already saved on the computer: the drawing has not changed since.")
	case soon:
		reply("The drawing was saved a moment ago: wait a few seconds and press Save again.")
	default:
		l.deliverPad(p, PadStroke{Action: PadSave, Page: lp.page, Reply: reply})
	}
}

// deliverPad hands a piece to the window, waiting while its channel is full:
// the page's connection waits with it, nobody else does.
func (l *Live) deliverPad(p *peer, ps PadStroke) {
	select {
	case l.pad <- ps:
		l.wake()
	case <-p.quit:
	case <-l.ctx.Done():
	}
}

// wake tells the window that something was queued.
func (l *Live) wake() {
	if l.opts.Wake != nil {
		l.opts.Wake()
	}
}

func (l *Live) deliverCmd(p *peer, c Command) {
	select {
	case l.cmds <- c:
		l.wake()
	case <-p.quit:
	case <-l.ctx.Done():
	}
}

// parseColor reads "#rrggbb" (wire.Decode has checked it); anything else is
// black.
func parseColor(s string) color.RGBA {
	if len(s) != 7 {
		return color.RGBA{0, 0, 0, 255}
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return color.RGBA{0, 0, 0, 255}
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}
