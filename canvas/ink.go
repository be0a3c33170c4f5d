package canvas

import (
	"mbotdraw/playback"
)

// ChunkSegments is the most segments baked in one piece. A stroke of up to
// ChunkSegments+1 points is baked whole, in one composite, when it is
// complete; a longer stroke is baked in chunks as the pen passes their ends.
const ChunkSegments = 64

// MinKeyframeSpacing is the least distance between keyframes, in points,
// unless Quality.KeyframeSpacing asks for less. Re-baking this many points
// takes about 20 ms in the software renderer (about 1,100 generated
// strokes), which bounds a backward seek when keyframes are that close.
const MinKeyframeSpacing = 32768

// restoreWorth is how many points a forward seek must skip before restoring
// a later keyframe beats baking the way there.
const restoreWorth = 8192

// maxRun is the most pieces baked together (BatchSurface): a long re-bake
// after a seek goes in runs of this many, so that its bookkeeping stays
// small (the pixels are the same).
const maxRun = 4096

// Surface is the pixels of an ink layer, which an Ink drives: the software
// renderer's image, or an Ebiten image in canvas/gpu.
type Surface interface {
	// Clear paints the background over the whole layer.
	Clear()
	// Bake composites a complete piece of a stroke into the layer.
	Bake(p Piece)
	// KeyframeCapacity returns how many keyframes the surface can keep.
	KeyframeCapacity() int
	// Snapshot copies the layer into keyframe slot (slots are small
	// integers, reused after Drop); false if it could not.
	Snapshot(slot int) bool
	// Restore copies keyframe slot back into the layer; false if it could
	// not (the layer is then undefined and gets cleared).
	Restore(slot int) bool
	// Drop frees keyframe slot.
	Drop(slot int)
}

// BatchSurface is a Surface that bakes a run of pieces at once (the software
// renderer, on several cores); the result must equal baking them one by one,
// in order.
type BatchSurface interface {
	Surface
	BakeBatch(ps []Piece)
}

// Pos is a place in the bake order: the next chunk to bake is chunk Chunk of
// stroke Stroke. Every chunk before it is in the ink layer.
type Pos struct{ Stroke, Chunk int }

// Less reports whether p comes before o in the bake order.
func (p Pos) Less(o Pos) bool {
	return p.Stroke < o.Stroke || (p.Stroke == o.Stroke && p.Chunk < o.Chunk)
}

// InkStats counts an Ink's work since it was made.
type InkStats struct {
	// Pieces and Points baked.
	Pieces, Points int64
	// Rewinds: backward seeks; Restores: keyframes restored; Clears: full
	// restarts from the background.
	Rewinds, Restores, Clears int64
	// Keyframes held now, their spacing in points, and the most the
	// surface can keep.
	Keyframes, Spacing, MaxKeyframes int
}

type keyframe struct {
	pos  Pos
	slot int
	// interval is the spacing interval the keyframe stands for.
	interval int
}

// Ink keeps an ink layer's bookkeeping: which chunks the Surface holds,
// which to bake for a new cursor mark, which live tail to draw over it, and
// keyframes for backward seeks. See the package doc.
type Ink struct {
	d    *playback.Drawing
	surf Surface
	q    Quality

	pos   Pos
	valid bool

	keys     []keyframe // by pos
	run      []Piece    // the pieces baked together (BatchSurface)
	maxKeys  int
	spacing  int
	lag      bool
	stats    InkStats
	freeSlot []int
	nextSlot int
}

// NewInk returns the bookkeeping for drawing d on surf.
func NewInk(d *playback.Drawing, surf Surface, q Quality) *Ink {
	k := &Ink{d: d, surf: surf, q: q}
	k.plan()
	return k
}

// plan sets the keyframe spacing from the surface's capacity and the
// quality.
func (k *Ink) plan() {
	k.maxKeys = max(0, k.surf.KeyframeCapacity())
	// The surface can keep maxKeys snapshots: spread them evenly.
	n := k.d.NumPoints()
	sp := n + 1
	if k.maxKeys > 0 {
		sp = n/(k.maxKeys+1) + 1
	}
	if k.q.KeyframeSpacing > 0 {
		sp = max(sp, k.q.KeyframeSpacing)
	} else {
		sp = max(sp, MinKeyframeSpacing)
	}
	if sp != k.spacing {
		k.dropKeys()
		k.spacing = sp
	}
	k.stats.Spacing, k.stats.MaxKeyframes = k.spacing, k.maxKeys
}

func (k *Ink) dropKeys() {
	for _, kf := range k.keys {
		k.surf.Drop(kf.slot)
		k.freeSlot = append(k.freeSlot, kf.slot)
	}
	k.keys = k.keys[:0]
	k.stats.Keyframes = 0
}

// SetQuality changes the quality knobs (see Quality).
func (k *Ink) SetQuality(q Quality) {
	old := k.q
	k.q = q
	if q.KeyframeSpacing != old.KeyframeSpacing {
		k.plan()
	}
}

// Quality returns the knobs in force.
func (k *Ink) Quality() Quality { return k.q }

// Stats returns the work counters.
func (k *Ink) Stats() InkStats { return k.stats }

// Invalidate forgets the layer's content: the next Update starts from the
// background. Keyframes are dropped too.
func (k *Ink) Invalidate() {
	k.valid = false
	k.dropKeys()
}

// Redraw forgets the layer's content but keeps the keyframes.
func (k *Ink) Redraw() { k.valid = false }

// Pos returns the next chunk to bake.
func (k *Ink) Pos() Pos { return k.pos }

// chunks returns how many chunks stroke s has.
func (k *Ink) chunks(s int) int {
	n := k.d.Strokes[s].Len()
	if n <= 1 {
		return 1
	}
	return (n - 2 + ChunkSegments) / ChunkSegments
}

// piece returns chunk p as a piece.
func (k *Ink) piece(p Pos) Piece {
	st := k.d.Strokes[p.Stroke]
	first := st.Start + p.Chunk*ChunkSegments
	last := min(first+ChunkSegments, st.End-1)
	return Piece{Stroke: p.Stroke, First: first, Last: last, Cap: last == st.End-1}
}

// next returns the position after p.
func (k *Ink) next(p Pos) Pos {
	if p.Chunk+1 < k.chunks(p.Stroke) {
		return Pos{p.Stroke, p.Chunk + 1}
	}
	return Pos{p.Stroke + 1, 0}
}

// firstPoint returns the first point of chunk p (the point count when p is
// past the last stroke).
func (k *Ink) firstPoint(p Pos) int {
	if p.Stroke >= len(k.d.Strokes) {
		return k.d.NumPoints()
	}
	return k.d.Strokes[p.Stroke].Start + p.Chunk*ChunkSegments
}

// Target returns the position at which every chunk complete at m is baked:
// the first chunk whose last point is not revealed.
func (k *Ink) Target(m playback.Mark) Pos {
	if m.N <= 0 {
		return Pos{}
	}
	s := k.d.StrokeOf(m.N - 1)
	st := k.d.Strokes[s]
	q := m.N - 1 - st.Start
	if q >= st.Len()-1 {
		return Pos{s + 1, 0}
	}
	return Pos{s, q / ChunkSegments}
}

// Update brings the layer to mark m: it bakes the chunks completed since the
// last update or, when m is behind what is baked, restores the nearest
// earlier keyframe (or the background) and bakes from there. With
// Quality.DeferBake it bakes at most DeferBakePoints points and may lag.
// The surface must hold only baked ink (no overlay) when Update is called.
func (k *Ink) Update(m playback.Mark) {
	target := k.Target(m)
	if !k.valid {
		k.surf.Clear()
		k.pos, k.valid = Pos{}, true
		k.stats.Clears++
	}
	if target.Less(k.pos) {
		k.stats.Rewinds++
		if kf, ok := k.keyAtOrBefore(target); !ok || !k.restore(kf) {
			k.surf.Clear()
			k.pos = Pos{}
			k.stats.Clears++
		}
	} else if kf, ok := k.keyAtOrBefore(target); ok && k.pos.Less(kf.pos) &&
		k.firstPoint(kf.pos)-k.firstPoint(k.pos) >= restoreWorth {
		if !k.restore(kf) {
			k.surf.Clear()
			k.pos = Pos{}
			k.stats.Clears++
		}
	}
	limit := -1
	if k.q.DeferBake {
		limit = DeferBakePoints
	}
	k.bake(target, limit)
	k.lag = k.pos.Less(target)
}

// Lagging reports whether the last Update stopped short of its mark
// (DeferBake).
func (k *Ink) Lagging() bool { return k.lag }

// Baked returns the mark up to which the layer holds ink: every point
// before N belongs to a baked chunk.
func (k *Ink) Baked() playback.Mark {
	return playback.Mark{N: k.firstPoint(k.pos)}
}

func (k *Ink) bake(target Pos, limit int) {
	bs, batched := k.surf.(BatchSurface)
	done := 0
	for k.pos.Less(target) && (limit < 0 || done < limit) {
		// A run of pieces up to the target, the limit or the next keyframe.
		k.run = k.run[:0]
		key := 0
		for k.pos.Less(target) && (limit < 0 || done < limit) && len(k.run) < maxRun {
			p := k.piece(k.pos)
			k.run = append(k.run, p)
			n := p.Last - p.First + 1
			done += n
			k.stats.Pieces++
			k.stats.Points += int64(n)
			k.pos = k.next(k.pos)
			if k.maxKeys > 0 {
				if iv := (p.Last + 1) / k.spacing; iv >= 1 && iv <= k.maxKeys && !k.hasKey(iv) {
					key = iv
					break
				}
			}
		}
		if batched {
			bs.BakeBatch(k.run)
		} else {
			for _, p := range k.run {
				k.surf.Bake(p)
			}
		}
		if key > 0 {
			k.addKey(key)
		}
	}
}

// hasKey reports whether a keyframe exists for spacing interval iv: the
// first chunk boundary once iv·spacing points are baked.
func (k *Ink) hasKey(iv int) bool {
	for _, kf := range k.keys {
		if kf.interval == iv {
			return true
		}
	}
	return false
}

func (k *Ink) addKey(iv int) {
	slot := k.nextSlot
	if n := len(k.freeSlot); n > 0 {
		slot, k.freeSlot = k.freeSlot[n-1], k.freeSlot[:n-1]
	} else {
		k.nextSlot++
	}
	if !k.surf.Snapshot(slot) {
		k.freeSlot = append(k.freeSlot, slot)
		return
	}
	k.insertKey(keyframe{pos: k.pos, slot: slot, interval: iv})
}

func (k *Ink) insertKey(kf keyframe) {
	i := len(k.keys)
	for i > 0 && kf.pos.Less(k.keys[i-1].pos) {
		i--
	}
	k.keys = append(k.keys, keyframe{})
	copy(k.keys[i+1:], k.keys[i:])
	k.keys[i] = kf
	k.stats.Keyframes = len(k.keys)
}

// restore puts keyframe kf back; on failure it forgets the keyframe.
func (k *Ink) restore(kf keyframe) bool {
	if k.surf.Restore(kf.slot) {
		k.pos = kf.pos
		k.stats.Restores++
		return true
	}
	for i := range k.keys {
		if k.keys[i].slot == kf.slot {
			k.keys = append(k.keys[:i], k.keys[i+1:]...)
			break
		}
	}
	k.surf.Drop(kf.slot)
	k.freeSlot = append(k.freeSlot, kf.slot)
	k.stats.Keyframes = len(k.keys)
	return false
}

func (k *Ink) keyAtOrBefore(p Pos) (keyframe, bool) {
	for i := len(k.keys) - 1; i >= 0; i-- {
		if !p.Less(k.keys[i].pos) {
			return k.keys[i], true
		}
	}
	return keyframe{}, false
}

// Tail returns the live tail at m, the revealed part of the chunk the pen
// is drawing, to draw over the layer (never baked); ok is false when there
// is none (pen up, or the chunk has just begun), or when the layer lags.
func (k *Ink) Tail(m playback.Mark) (Piece, bool) {
	if m.N <= 0 || k.lag {
		return Piece{}, false
	}
	t := k.Target(m)
	if t.Stroke >= len(k.d.Strokes) {
		return Piece{}, false
	}
	st := k.d.Strokes[t.Stroke]
	first := st.Start + t.Chunk*ChunkSegments
	last := m.N - 1
	if last < first || (last == first && !(m.Frac > 0)) {
		return Piece{}, false
	}
	return Piece{Stroke: t.Stroke, First: first, Last: last, EndFrac: m.Frac, Cap: true}, true
}
