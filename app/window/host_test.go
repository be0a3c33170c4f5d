package window

import (
	"errors"
	"fmt"
	"image"
	"os"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
)

// Ebiten runs one game loop per process (RunGame may be called only once),
// on the main goroutine. TestMain therefore runs the tests on a goroutine
// and the loop on the main one: a host game that plays each test's Game in
// turn, feeding it the test's scripted Input. Everything a test checks
// happens inside the real loop: real Update, real Draw on the real screen.

// TestMain runs the game loop for the whole test binary.
func TestMain(m *testing.M) {
	h := &host{jobs: make(chan *job), quit: make(chan int, 1)}
	theHost = h
	go func() {
		code := m.Run()
		removeProgram()
		h.quit <- code
	}()
	ebiten.SetWindowSize(640, 400)
	ebiten.SetWindowTitle("mbotdraw window tests")
	ebiten.SetTPS(60)
	err := ebiten.RunGame(h)
	code := h.code
	if err != nil && !errors.Is(err, ebiten.Termination) {
		fmt.Fprintln(os.Stderr, "game loop:", err)
		code = 1
	}
	os.Exit(code)
}

var theHost *host

// job is one test's run of a Game in the host loop.
type job struct {
	g *Game
	// w, h is the screen size Layout reports (the window is scaled to it).
	w, h int
	// afterUpdate runs after each Update of g with the tick number (from 1);
	// returning true ends the job.
	afterUpdate func(tick int) bool
	// afterDraw runs after each Draw of g, with the screen.
	afterDraw func(tick int, screen *ebiten.Image)
	// maxTicks ends a job that does not end itself (a failing test).
	maxTicks int
	ticks    int
	err      error
	done     chan struct{}
}

type host struct {
	jobs chan *job
	cur  *job
	quit chan int
	code int
}

func (h *host) Update() error {
	if h.cur == nil {
		select {
		case code := <-h.quit:
			h.code = code
			return ebiten.Termination
		case j := <-h.jobs:
			h.cur = j
			// The job's screen size from its first Update on: under load
			// Ebiten runs several Updates before it calls Layout again.
			j.g.layoutW, j.g.layoutH = j.w, j.h
		default:
			return nil
		}
	}
	j := h.cur
	j.ticks++
	err := j.g.Update()
	end := false
	switch {
	case errors.Is(err, ebiten.Termination):
		end = true
	case err != nil:
		j.err, end = err, true
	case j.afterUpdate != nil && j.afterUpdate(j.ticks):
		end = true
	case j.ticks >= j.maxTicks:
		j.err, end = fmt.Errorf("still running after %d ticks", j.maxTicks), true
	}
	if end {
		h.cur = nil
		close(j.done)
	}
	return nil
}

func (h *host) Draw(screen *ebiten.Image) {
	if h.cur == nil {
		return
	}
	h.cur.g.Draw(screen)
	if h.cur.afterDraw != nil {
		h.cur.afterDraw(h.cur.ticks, screen)
	}
}

func (h *host) Layout(ow, oh int) (int, int) {
	if h.cur == nil {
		return 640, 400
	}
	h.cur.g.layoutW, h.cur.g.layoutH = h.cur.w, h.cur.h
	return h.cur.w, h.cur.h
}

// run plays j in the loop and waits for it to end.
func run(t *testing.T, j *job) {
	t.Helper()
	if j.w == 0 {
		j.w, j.h = 1280, 800
	}
	if j.maxTicks == 0 {
		j.maxTicks = 1200
	}
	j.done = make(chan struct{})
	theHost.jobs <- j
	select {
	case <-j.done:
	case <-time.After(90 * time.Second):
		t.Fatal("the game loop did not finish the job in 90 s")
	}
	if j.err != nil {
		t.Fatal(j.err)
	}
}

// script is an Input that replays events by tick (1 is the first Update).
type script struct {
	tick   int
	events map[int]Events
}

func (s *script) Poll() Events {
	s.tick++
	return s.events[s.tick]
}

// keys returns Events pressing each key once.
func keys(ks ...ebiten.Key) Events {
	var ev Events
	for _, k := range ks {
		ev.Keys = append(ev.Keys, KeyPress{Key: k})
	}
	return ev
}

// shiftKey returns Events pressing k with Shift held.
func shiftKey(k ebiten.Key) Events { return Events{Keys: []KeyPress{{Key: k, Shift: true}}} }

// pointer returns Events with one pointer event.
func pointer(ph Phase, x, y float64) Events {
	return Events{Pointers: []PointerEvent{{ID: 0, Phase: ph, X: x, Y: y}}}
}

// grabRegion copies a region of the screen (in screen pixels).
func grabRegion(screen *ebiten.Image, r image.Rectangle) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	screen.SubImage(r).(*ebiten.Image).ReadPixels(img.Pix)
	return img
}
