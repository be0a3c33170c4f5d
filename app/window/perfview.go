package window

import (
	"fmt"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
)

// drawPerf draws the performance overlay: fps, the frame-time graph against
// the budget line, memory against its budget, the optimizer's last change
// and the monitor's active alerts.
func (g *Game) drawPerf(screen *ebiten.Image) {
	l, u, f, ps := g.lay, g.lay.U, g.fonts, g.perf
	alerts := ps.mon.ActiveAlerts()
	lines := min(len(alerts), 3)
	if len(ps.changes) > 0 {
		lines++
	}
	w := math.Round(math.Min(460*u, l.View.W-24*u))
	h := math.Round(256*u + float64(lines)*f.small.Size*1.35)
	x, y := math.Round(l.View.X+12*u), math.Round(l.View.Y+12*u)
	drawAt(screen, g.spr.get(fmt.Sprint("perfbox", w, h), w, h, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, w, h, 14*u, colInfo)
	}), x, y)
	fb := ps.budget
	budget := fb.Budget()
	ms := func(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }
	line1 := fmt.Sprintf("%.0f fps   frame p50 %.1f ms  p95 %.1f ms", ebiten.ActualFPS(), ms(fb.RollingQuantile(0.5)), ms(fb.RollingP95()))
	if g.pacer.resting {
		line1 = "Idle: nothing moves, so nothing is redrawn"
	}
	drawText(screen, fitText(line1, f.bodyBold, w-24*u), f.bodyBold, x+12*u, y+22*u, alignStart, colBarText)
	quality := "full quality"
	if lv := ps.opt.Level(); lv > 0 {
		quality = fmt.Sprintf("quality lowered %d of %d steps", lv, ps.opt.Levels())
	}
	line2 := fmt.Sprintf("%d of %d frames over budget · %s", fb.OverBudget(), fb.Frames(), quality)
	drawText(screen, fitText(line2, f.small, w-24*u), f.small, x+12*u, y+50*u, alignStart, colBarDim)

	// Graph: the last frames' work time, scaled so the budget sits at 2/3.
	gx, gy, gw, gh := x+12*u, y+70*u, w-24*u, 120*u
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
	my := gy + gh + 12*u
	fillRect(screen, gx, my, gw, 8*u, colBar)
	frac := math.Min(1, ps.mem.TotalMB/ps.prof.MemoryLimitMB)
	mc := colPlay
	if frac > 0.8 {
		mc = colPause
	}
	fillRect(screen, gx, my, gw*frac, 8*u, mc)
	drawText(screen, fmt.Sprintf("memory %.0f of %.0f MB (heap %.0f MB)", ps.mem.TotalMB, ps.prof.MemoryLimitMB, ps.mem.HeapMB), f.small, gx, my+8*u+f.small.Size*0.8, alignStart, colBarDim)

	ty := my + 8*u + f.small.Size*2.2
	if len(ps.changes) > 0 {
		c := ps.changes[len(ps.changes)-1]
		drawText(screen, fitText(fmt.Sprintf("optimizer: %s %s → %s (%s)", c.Knob, c.From, c.To, c.Reason), f.small, w-24*u), f.small, x+12*u, ty, alignStart, colBarDim)
		ty += f.small.Size * 1.35
	}
	for _, a := range alerts[:min(len(alerts), 3)] {
		drawText(screen, fitText(a.String(), f.small, w-24*u), f.small, x+12*u, ty, alignStart, colAccent)
		ty += f.small.Size * 1.35
	}
}
