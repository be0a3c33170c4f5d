package window

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/playback"
)

// TestLayoutSizes places the interface on small, usual, HiDPI, very wide and
// very tall screens: everything inside the screen, no two buttons
// overlapping, buttons big enough to hit with a finger, room for the drawing.
func TestLayoutSizes(t *testing.T) {
	for _, sz := range [][2]int{{640, 400}, {1280, 800}, {2560, 1600}, {1920, 1080}, {3840, 600}, {600, 1400}, {320, 240}} {
		for _, gallery := range []bool{false, true} {
			l := layoutScreen(sz[0], sz[1], gallery)
			screen := rect{0, 0, float64(sz[0]), float64(sz[1])}
			if l.View.W < 0.5*l.W || l.View.H < 0.35*l.H {
				t.Errorf("%v: the drawing gets only %vx%v", sz, l.View.W, l.View.H)
			}
			if l.Top.H+l.View.H+l.Bot.H != l.H {
				t.Errorf("%v: bars and view do not add up to the screen height", sz)
			}
			var bs []rect
			for i, b := range l.Buttons {
				if b.W == 0 {
					if (i == int(btnPrevDrawing) || i == int(btnNextDrawing)) == gallery {
						t.Errorf("%v gallery=%v: button %d missing", sz, gallery, i)
					}
					continue
				}
				if !inside(b, screen) || !inside(b, l.Bot) {
					t.Errorf("%v: button %d at %v is outside the bottom bar %v", sz, i, b, l.Bot)
				}
				// At the design size and above, buttons are at least 60 px:
				// a child's fingertip.
				if sz[0] >= 1280 && sz[1] >= 800 && (b.W < 60 || b.H < 60) {
					t.Errorf("%v: button %d is %vx%v", sz, i, b.W, b.H)
				}
				for _, o := range bs {
					if overlap(b, o) {
						t.Errorf("%v gallery=%v: buttons %v and %v overlap", sz, gallery, b, o)
					}
				}
				bs = append(bs, b)
			}
			if !inside(l.Track, l.Scrub) || !inside(l.Scrub, l.Bot) || overlap(l.Scrub, l.Buttons[btnPlay]) {
				t.Errorf("%v: the scrubber %v is not in its place", sz, l.Scrub)
			}
		}
	}
	if u := uiUnit(2560, 1600); u != 2 {
		t.Errorf("HiDPI 2560x1600: interface unit %v, want 2 (everything twice as big in pixels)", u)
	}
}

func inside(a, b rect) bool {
	return a.X >= b.X-1e-9 && a.Y >= b.Y-1e-9 && a.X+a.W <= b.X+b.W+1e-9 && a.Y+a.H <= b.Y+b.H+1e-9
}

func overlap(a, b rect) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// TestFitBox letterboxes very wide, very tall, tiny and degenerate drawings.
func TestFitBox(t *testing.T) {
	for _, tc := range []struct {
		box  playback.Rect
		w, h float64
	}{
		{playback.Rect{MaxX: 1600, MaxY: 900}, 1280, 572},
		{playback.Rect{MaxX: 100000, MaxY: 10}, 1280, 572},
		{playback.Rect{MaxX: 10, MaxY: 100000}, 1280, 572},
		{playback.Rect{MinX: -5e6, MinY: -5e6, MaxX: 5e6, MaxY: 5e6}, 800, 600},
		{playback.Rect{MinX: 3, MinY: 3, MaxX: 3.001, MaxY: 3.002}, 800, 600},
		{playback.Rect{MinX: 10, MinY: 0, MaxX: 10, MaxY: 500}, 800, 600}, // a vertical line
	} {
		const margin = 18
		f := fitBox(tc.box, tc.w, tc.h, margin)
		x0, y0 := f.toView(tc.box.MinX, tc.box.MinY)
		x1, y1 := f.toView(tc.box.MaxX, tc.box.MaxY)
		const eps = 1e-6
		if x0 < margin-eps || y0 < margin-eps || x1 > tc.w-margin+eps || y1 > tc.h-margin+eps {
			t.Errorf("%v in %vx%v: lands at (%.1f,%.1f)-(%.1f,%.1f), outside the margins", tc.box, tc.w, tc.h, x0, y0, x1, y1)
		}
		// Centred, and touching the margins on at least one axis.
		if math.Abs((x0+x1)/2-tc.w/2) > 1e-6 || math.Abs((y0+y1)/2-tc.h/2) > 1e-6 {
			t.Errorf("%v: not centred", tc.box)
		}
		if math.Abs(x1-x0-(tc.w-2*margin)) > 1e-6 && math.Abs(y1-y0-(tc.h-2*margin)) > 1e-6 {
			t.Errorf("%v: fills neither the width nor the height", tc.box)
		}
	}
}

// TestResizeAndHiDPI plays a very wide drawing in a window that is resized
// twice, the second time to a HiDPI-sized screen: the paper stays inside
// the drawing's viewport, and the finished drawing still matches the
// software renderer at the new size.
func TestResizeAndHiDPI(t *testing.T) {
	d := playback.NewDrawing(4000, 300)
	for i := 0; i < 12; i++ {
		d.BeginStroke(genColor(i), 12)
		for k := 0; k <= 20; k++ {
			x := 100 + float32(i)*320 + float32(k)*10
			d.AddPoint(x, 150+100*float32(math.Sin(float64(k)/3)), 0)
		}
	}
	d.AssignTimes(0, -1)
	g := newTestGame(t, config.Window{Drawing: d, Speed: 16}, &script{events: map[int]Events{}})
	j := &job{g: g, w: 1280, h: 800}
	var shot *image.RGBA
	endTick := 0
	j.afterUpdate = func(tick int) bool {
		switch tick {
		case 10:
			j.w, j.h = 700, 1000
		case 20:
			j.w, j.h = 2560, 1600
		}
		if tick > 20 && endTick == 0 && g.doc.tl.Ended() {
			endTick = tick
		}
		return shot != nil
	}
	j.afterDraw = func(tick int, screen *ebiten.Image) {
		v := g.lay.View
		pr := g.doc.paper.Add(image.Pt(int(v.X), int(v.Y)))
		if !pr.In(image.Rect(int(v.X), int(v.Y), int(v.X+v.W), int(v.Y+v.H))) {
			t.Errorf("tick %d: paper %v outside the viewport %v", tick, pr, v)
		}
		if endTick > 0 && tick > endTick && screen.Bounds().Dx() == 2560 {
			shot = grabRegion(screen, pr)
		}
	}
	run(t, j)
	if g.lay.U != 2 {
		t.Errorf("at 2560x1600 the interface unit is %v, want 2", g.lay.U)
	}
	if shot.Rect.Dx() < 2000 {
		t.Errorf("the paper is %d pixels wide on a 2560-pixel screen", shot.Rect.Dx())
	}
	compareImages(t, "resized-end", shot, softwareEnd(g))
}

func genColor(i int) color.RGBA {
	p := []color.RGBA{{0xe5, 0x39, 0x35, 0xff}, {0x1e, 0x88, 0xe5, 0xff}, {0x43, 0xa0, 0x47, 0xff}}
	return p[i%len(p)]
}

// TestOddDrawings plays drawings with nothing in them, dots, hairlines,
// huge pens and points far off the page, seeking about, resizing, and
// sending them to the robot: the window keeps going.
func TestOddDrawings(t *testing.T) {
	empty := playback.NewDrawing(800, 600)
	dots := playback.NewDrawing(0, 0) // no size: framed by its ink
	for i := 0; i < 5; i++ {
		dots.BeginStroke(genColor(i), float32(i)*3)
		dots.AddPoint(float32(i*40), 10, float32(i*100))
	}
	huge := playback.NewDrawing(400, 300)
	huge.BeginStroke(genColor(0), 5000)
	huge.AddPoint(10, 10, 0)
	huge.AddPoint(390, 290, 500)
	huge.BeginStroke(genColor(1), 0)
	huge.AddPoint(-1e6, -1e6, 600)
	huge.AddPoint(1e6, 1e6, 700)
	for _, d := range []*playback.Drawing{empty, dots, huge} {
		ev := map[int]Events{
			3: keys(ebiten.KeyEnd), 4: keys(ebiten.KeyHome), 5: shiftKey(ebiten.KeyArrowRight),
			6: keys(ebiten.KeyF), 7: keys(ebiten.KeyF), 8: keys(ebiten.KeyR), 9: keys(ebiten.KeyV),
			10: keys(ebiten.KeyP),
		}
		g := newTestGame(t, config.Window{Drawing: d}, &script{events: ev})
		g.robotScale = 50
		j := &job{g: g, w: 900, h: 500}
		j.afterUpdate = func(tick int) bool {
			if tick == 12 {
				j.w, j.h = 300, 900
			}
			return tick >= 20
		}
		run(t, j)
		if err := g.finish(); err != nil {
			t.Error(err)
		}
	}
}
