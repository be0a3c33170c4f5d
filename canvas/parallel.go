package canvas

import (
	"image"
	"runtime"
	"sync"
	"sync/atomic"

	"mbotdraw/playback"
)

// Parallel work: a run of pieces is baked cell by cell (the rasterizer's
// cells, maxBox wide and cellRows high: 36 at 1920×1080): a worker takes a
// cell and rasterizes, in drawing order, every piece of the run that reaches
// into it, clipped to it, then takes the next cell left. A pixel belongs to
// one cell, gets the same pieces in the same order, and a piece's pixels do
// not depend on the rectangle it is clipped to (see Raster.Fill), so the
// frame is the same, byte for byte, as baking the run one piece at a time.
// Keyframe tiles are compressed and restored by the same workers, one tile
// at a time.

// minParallelPoints is the smallest run, in points, worth handing to the
// workers; a smaller one is baked on the calling goroutine. Below it, waking
// the workers and drawing each piece cell by cell cost more than they save:
// with 256, playing 10,000 generated strokes (about 500 points a frame)
// took 40% more processor time than on one core, for frames that take half
// a millisecond anyway.
const minParallelPoints = 2048

// workerCount returns the workers that Options.Workers asks for.
func workerCount(n int) int {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return max(1, n)
}

// bakeJob is one piece of a run with its box: the float bounds the
// tessellator gave, and the pixels of the canvas it can touch.
type bakeJob struct {
	p              Piece
	x0, y0, x1, y1 float32
	box            image.Rectangle
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

	// A bake: the drawing, the canvas, the run, and the cells across and
	// down.
	d          *playback.Drawing
	img        *image.RGBA
	jobs       []bakeJob
	cols, rows int

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

// bakeCells is the bake task: each worker takes cells (see cellRows) until
// none is left, and draws into each the pieces of the run that reach it.
func bakeCells(p *pool, w *bakeWorker) {
	r := p.img.Rect
	for {
		c, ok := p.take(p.cols * p.rows)
		if !ok {
			return
		}
		x0, y0 := r.Min.X+c%p.cols*maxBox, r.Min.Y+c/p.cols*cellRows
		cell := image.Rect(x0, y0, x0+maxBox, y0+cellRows).Intersect(r)
		for i := range p.jobs {
			j := &p.jobs[i]
			if !j.box.Overlaps(cell) {
				continue
			}
			w.tess.Prepare(p.d, j.p)
			w.ras.Fill(p.img, cell, &w.tess, j.x0, j.y0, j.x1, j.y1)
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
		jobs = append(jobs, bakeJob{p: p, x0: x0, y0: y0, x1: x1, y1: y1, box: box})
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
	pl.cols = (r.img.Rect.Dx() + maxBox - 1) / maxBox
	pl.rows = (r.img.Rect.Dy() + cellRows - 1) / cellRows
	pl.run(bakeCells)
	pl.jobs = nil
}
