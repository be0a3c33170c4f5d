package canvas

import (
	"image"
	"runtime"
	"sync"
	"sync/atomic"

	"mbotdraw/playback"
)

// Parallel work: a run of pieces is baked by cutting the canvas into
// horizontal bands (whole rows of cells, see cellRows) and giving each band
// to a worker, which rasterizes, in
// drawing order, every piece of the run that reaches into its band, clipped
// to it. A pixel belongs to one band, gets the same pieces in the same order,
// and a piece's pixels do not depend on the rectangle it is clipped to (see
// Raster.Fill), so the frame is the same, byte for byte, as baking the run
// one piece at a time. Keyframe tiles are compressed and restored by the same
// workers, one tile at a time.

// minParallelPoints is the smallest run, in points, worth handing to the
// workers; a smaller one is baked on the calling goroutine.
const minParallelPoints = 256

// bandsPerWorker cuts the canvas into this many bands per worker, so that a
// worker whose bands hold less ink takes over the others' bands.
const bandsPerWorker = 6

// workerCount returns the workers that Options.Workers asks for.
func workerCount(n int) int {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return max(1, n)
}

// bakeJob is one piece of a run with its box: the float bounds the
// tessellator gave, and the rows of the canvas it touches.
type bakeJob struct {
	p              Piece
	x0, y0, x1, y1 float32
	top, bottom    int
}

// bakeWorker is one worker's own tessellator and rasterizer (and the
// keyframe codec's scratch).
type bakeWorker struct {
	tess Tessellator
	ras  Raster
	tile tileScratch
}

// pool runs a task on n workers: the calling goroutine and n-1 helpers,
// started on first use and stopped by stop. A task reads what the pool's
// fields hold for it and must not change them. It allocates nothing per task.
type pool struct {
	n     int
	w     []bakeWorker
	start chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	began bool
	// stopped: the helpers are gone; tasks run on the caller alone.
	stopped bool
	next    atomic.Int32
	task    func(p *pool, w *bakeWorker)

	// A bake: the drawing, the canvas, the run and the bands.
	d     *playback.Drawing
	img   *image.RGBA
	jobs  []bakeJob
	bands int

	// A keyframe task (keyframe.go).
	keys  *keyframeStore
	tiles []int32
	ok    atomic.Bool
}

func newPool(n int) *pool {
	return &pool{n: n, w: make([]bakeWorker, n), start: make(chan struct{})}
}

// run runs task on every worker and returns when all are done.
func (p *pool) run(task func(p *pool, w *bakeWorker)) {
	p.task = task
	p.next.Store(0)
	if p.n > 1 && !p.stopped {
		if !p.began {
			p.began = true
			for i := 1; i < p.n; i++ {
				go p.helper(&p.w[i])
			}
		}
		p.wg.Add(p.n - 1)
		for i := 1; i < p.n; i++ {
			p.start <- struct{}{}
		}
	}
	task(p, &p.w[0])
	p.wg.Wait()
	p.task = nil
}

func (p *pool) helper(w *bakeWorker) {
	for range p.start {
		p.task(p, w)
		p.wg.Done()
	}
}

// stop ends the helpers. It is called by the pool's owner (or, for an
// owner never closed, once the owner is garbage).
func (p *pool) stop() {
	p.once.Do(func() {
		p.stopped = true
		close(p.start)
	})
}

// take returns the next unit of work below n, or false when none is left.
func (p *pool) take(n int) (int, bool) {
	i := int(p.next.Add(1)) - 1
	return i, i < n
}

// bakeBands is the bake task: each worker takes bands until none is left.
func bakeBands(p *pool, w *bakeWorker) {
	r := p.img.Rect
	h := r.Dy()
	for {
		b, ok := p.take(p.bands)
		if !ok {
			return
		}
		// Bands are whole rows of cells (see cellRows).
		rows := (h + cellRows - 1) / cellRows
		top := r.Min.Y + b*rows/p.bands*cellRows
		bottom := min(r.Max.Y, r.Min.Y+(b+1)*rows/p.bands*cellRows)
		band := image.Rect(r.Min.X, top, r.Max.X, bottom)
		for i := range p.jobs {
			j := &p.jobs[i]
			if j.bottom <= top || j.top >= bottom {
				continue
			}
			w.tess.Prepare(p.d, j.p)
			w.ras.Fill(p.img, band, &w.tess, j.x0, j.y0, j.x1, j.y1)
		}
	}
}

// BakeBatch bakes a run of pieces, on several cores when it is big enough
// (Options.Workers); the ink is the same as baking them one by one.
func (r *surface) BakeBatch(ps []Piece) {
	points := 0
	for _, p := range ps {
		points += p.Last - p.First + 1
	}
	if r.pool.n < 2 || points < minParallelPoints {
		for _, p := range ps {
			r.Bake(p)
		}
		return
	}
	jobs := r.jobs[:0]
	for _, p := range ps {
		x0, y0, x1, y1, ok := r.tess.Prepare(r.d, p)
		if !ok {
			continue
		}
		box := boxRect(x0, y0, x1, y1).Intersect(r.img.Rect)
		if box.Empty() {
			continue
		}
		r.keys.touch(box)
		jobs = append(jobs, bakeJob{p: p, x0: x0, y0: y0, x1: x1, y1: y1, top: box.Min.Y, bottom: box.Max.Y})
	}
	r.jobs = jobs
	if len(jobs) == 0 {
		return
	}
	pl := r.pool
	for i := range pl.w {
		w := &pl.w[i]
		w.tess.Fit, w.tess.Tolerance = r.tess.Fit, r.tess.Tolerance
		w.ras.NoAntiAlias = r.ras.NoAntiAlias
	}
	pl.d, pl.img, pl.jobs = r.d, r.img, jobs
	pl.bands = max(1, min(bandsPerWorker*pl.n, (r.img.Rect.Dy()+cellRows-1)/cellRows))
	pl.run(bakeBands)
	pl.jobs = nil
}
