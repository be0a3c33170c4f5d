package window

import (
	"fmt"
	"math"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
)

// The overlay speaks to a teacher first: a headline in plain words (is
// playback smooth, and if not, why), then the figures for those who want
// them. Frames a second count what reaches the screen; a frame's time is
// split into our work (update and draw, which the budget is about) and
// showing it (handing it to the graphics driver and the screen), so that
// a slow screen is never blamed on the drawing, nor the other way round.

// Thresholds of the headline, in frames a second.
const (
	smoothFPS = 55
	slowFPS   = 30
)

// perfVerdict is the overlay's headline and the sentence under it.
type perfVerdict struct {
	headline, why string
	// ok: smooth or idle; slow: a little slow (else busy).
	ok, slow bool
}

// verdict says in plain words how playback goes: resting (nothing moves),
// fps frames a second reaching the screen, work our typical frame's work
// (p95), show the typical time to show a frame (p50), against budget.
func verdict(resting bool, fps float64, work, show, budget time.Duration) perfVerdict {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", d.Seconds()*1000) }
	n := int(math.Round(fps))
	switch {
	case resting:
		return perfVerdict{"Idle: nothing moves, so nothing is redrawn", "The window wakes when you press a key, click, or something changes.", true, false}
	case fps >= smoothFPS:
		return perfVerdict{fmt.Sprintf("Smooth: %d frames a second", n), fmt.Sprintf("Each frame takes us %s of its %s.", ms(work), ms(budget)), true, false}
	case work > budget:
		return perfVerdict{fmt.Sprintf("Busy: %d frames a second, the drawing is heavy", n),
			fmt.Sprintf("Our work takes %s a frame, more than its %s: quality goes down to keep up.", ms(work), ms(budget)), false, false}
	case fps >= slowFPS:
		return perfVerdict{fmt.Sprintf("A little slow: %d frames a second", n),
			fmt.Sprintf("Our work takes only %s a frame; the computer takes %s to show each one.", ms(work), ms(show)), false, true}
	}
	return perfVerdict{fmt.Sprintf("Busy: %d frames a second, the computer is slow", n),
		fmt.Sprintf("Our work takes only %s a frame; the computer takes %s to show each one.", ms(work), ms(show)), false, false}
}

// overlay is the performance overlay (P): it shows what the performance
// system measures, over the drawing's top left corner.
type overlay struct {
	shown bool
	ps    *perfSys
}

// verdict is the overlay's headline now; resting says whether the window
// rests (nothing moves).
func (o *overlay) verdict(resting bool) perfVerdict {
	ps := o.ps
	return verdict(resting, ebiten.ActualFPS(), ps.budget.RollingP95(), ps.showing.RollingQuantile(0.5), ps.budget.Budget())
}

// draw draws the overlay: the headline and why, the figures, the
// frame-time graph against the budget line, memory against its budget, the
// optimizer's last change and the monitor's active alerts.
func (o *overlay) draw(screen *ebiten.Image, k kit, resting bool) {
	l, u, f, ps := k.lay, k.lay.U, k.fonts, o.ps
	alerts := ps.mon.ActiveAlerts()
	extra := min(len(alerts), 3)
	if len(ps.changes) > 0 {
		extra++
	}
	w := math.Round(math.Min(600*u, l.View.W-24*u))
	tw := w - 24*u
	fb := ps.budget
	budget := fb.Budget()
	ms := func(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }
	v := o.verdict(resting)
	quality := "full quality"
	if lv := ps.opt.Level(); lv > 0 {
		quality = fmt.Sprintf("quality lowered %d of %d steps", lv, ps.opt.Levels())
	}
	why := wrapText(v.why, f.small, tw, 2)
	figures := wrapText(fmt.Sprintf("%.0f frames a second · our work p50 %.1f ms, p95 %.1f ms · showing p50 %.1f ms · %d of %d frames took us more than %.1f ms · %s",
		ebiten.ActualFPS(), ms(fb.RollingQuantile(0.5)), ms(fb.RollingP95()), ms(ps.showing.RollingQuantile(0.5)),
		fb.OverBudget(), fb.Frames(), ms(budget), quality), f.small, tw, 3)

	// Rows, from the box's top.
	line := f.small.Size * 1.35
	yHead := 10*u + f.bodyBold.Size*0.6
	yWhy := yHead + f.bodyBold.Size*0.6 + f.small.Size*0.8
	yFig := yWhy + float64(len(why))*line
	gy, gh := yFig+float64(len(figures)-1)*line+f.small.Size*0.7+12*u, 120*u
	my := gy + gh + 12*u
	yExtra := my + 8*u + f.small.Size*2.2
	h := math.Round(yExtra + float64(extra)*line)
	x, y := math.Round(l.View.X+12*u), math.Round(l.View.Y+12*u)
	bg := colInfo
	switch {
	case v.slow:
		bg = colPause
	case !v.ok:
		bg = colError
	}
	drawAt(screen, k.spr.get(fmt.Sprint("perfbox", w, h, bg), w, h, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, w, h, 14*u, bg)
	}), x, y)
	tx := x + 12*u
	drawText(screen, fitText(v.headline, f.bodyBold, tw), f.bodyBold, tx, y+yHead, alignStart, colBarText)
	for i, ln := range why {
		drawText(screen, ln, f.small, tx, y+yWhy+float64(i)*line, alignStart, colBarText)
	}
	for i, ln := range figures {
		drawText(screen, ln, f.small, tx, y+yFig+float64(i)*line, alignStart, colBarDim)
	}

	// Graph: the last frames' work time, scaled so the budget sits at 2/3.
	gx, gw := tx, tw
	gy += y
	fillRect(screen, gx, gy, gw, gh, colBar)
	frames := ps.last(int(gw / math.Max(1, 2*u)))
	scale := gh * 2 / 3 / float64(budget)
	bw := gw / float64(frameRing)
	if len(frames) > 0 {
		bw = gw / float64(len(frames))
	}
	for i, d := range frames {
		bh := math.Min(gh, float64(d)*scale)
		c := colPlay
		if d > budget {
			c = colError
		}
		fillRect(screen, gx+float64(i)*bw, gy+gh-bh, math.Max(1, bw-1), bh, c)
	}
	by := gy + gh - float64(budget)*scale
	fillRect(screen, gx, by, gw, math.Max(1, 2*u), colAccent)
	drawText(screen, fmt.Sprintf("budget %.1f ms", ms(budget)), f.small, gx+gw-4*u, by-10*u, alignEnd, colAccent)

	// Memory bar: the Go runtime's memory (what the monitor's memory
	// invariant checks) against the profile's budget.
	my += y
	fillRect(screen, gx, my, gw, 8*u, colBar)
	frac := math.Min(1, ps.mem.TotalMB/ps.prof.MemoryLimitMB)
	mc := colPlay
	if frac > 0.8 {
		mc = colPause
	}
	fillRect(screen, gx, my, gw*frac, 8*u, mc)
	drawText(screen, fmt.Sprintf("memory %.0f of %.0f MB (heap %.0f MB)", ps.mem.TotalMB, ps.prof.MemoryLimitMB, ps.mem.HeapMB), f.small, gx, my+8*u+f.small.Size*0.8, alignStart, colBarDim)

	ty := y + yExtra
	if len(ps.changes) > 0 {
		c := ps.changes[len(ps.changes)-1]
		drawText(screen, fitText(fmt.Sprintf("optimizer: %s %s → %s (%s)", c.Knob, c.From, c.To, c.Reason), f.small, tw), f.small, tx, ty, alignStart, colBarDim)
		ty += line
	}
	for _, a := range alerts[:min(len(alerts), 3)] {
		drawText(screen, fitText(a.String(), f.small, tw), f.small, tx, ty, alignStart, colAccent)
		ty += line
	}
}
