package canvas

import (
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// Raster is the software rasterizer: it fills tessellated pieces into an
// *image.RGBA with anti-aliasing (golang.org/x/image/vector computes the
// coverage; the piece's colour is composited over the image with Porter-Duff
// "over"). Each call rasterizes into a scratch mask as large as the piece's
// box, clipped to the image, so the cost follows the piece, not the canvas.
// A Raster reuses its buffers; it is not safe for concurrent use.
type Raster struct {
	// NoAntiAlias rounds coverage to 0 or 1.
	NoAntiAlias bool

	z       vector.Rasterizer
	mask    image.Alpha
	buf     []byte
	clip    [2][]Vec
	disc    []Vec
	snapped [][2]int32
	rec     polygons
	abs     [][2]int32 // rec's polygons snapped (snapTo), end to end
	absEnds []int
	// the canvas, and the box being rasterized, in canvas pixels
	canvas, box image.Rectangle
	anyPoly     bool
	// touched keeps prefetchRows' loads from being optimized away.
	touched byte
	// convex rasterizes Emit's convex polygons instead of the outline (the
	// tests compare the two).
	convex bool
}

// maxBox is the largest scratch box side: up to it, the vector package uses
// its fixed-point arithmetic (with coordinates snapped to its 1/512 pixel
// grid). Bigger pieces are rasterized cell by cell.
const maxBox = 512

// cellRows is the height of the cells that a piece is rasterized in: rows
// of cells start at multiples of cellRows from the canvas's top (and
// columns at multiples of maxBox from its left). The vector package's
// accumulation carries rounding from row to row within a box, so a pixel's
// coverage depends on where its box begins; with boxes cut at fixed lines,
// it does not depend on which part of the canvas a call draws, and bands of
// whole cell rows can be baked in parallel with the same result. A piece
// that spans several cells is rasterized once per cell, so cells cost work;
// at 128 rows, frames of 100,000 generated strokes cost about 3% more than
// uncut boxes (64 rows: 15 to 25%), and a 1080-row canvas still has nine
// bands to share among workers.
const cellRows = 128

// canonMargin is how far outside the canvas polygons reach before they are
// clipped (clipping outside the canvas changes no pixel inside it).
const canonMargin = 1024

// snap is the vector package's fixed-point resolution (1/512 pixel).
const snap = 512

// Fill draws the piece that t has prepared (whose box is minX..maxY) into
// dst, inside the rectangle within.
// The pixels a piece gets do not depend on within: a piece drawn in one
// call or in several rectangles that tile its box comes out the same
// (see cellRows).
func (rs *Raster) Fill(dst *image.RGBA, within image.Rectangle, t *Tessellator, minX, minY, maxX, maxY float32) {
	box := boxRect(minX, minY, maxX, maxY).Intersect(dst.Rect)
	r := box.Intersect(within)
	if r.Empty() {
		return
	}
	rs.canvas = dst.Rect
	// Tessellate and snap once; every cell gets the same polygons.
	rs.rec.reset()
	if rs.convex {
		t.Emit(&rs.rec)
	} else {
		t.EmitOutline(&rs.rec)
	}
	rs.abs, rs.absEnds = rs.abs[:0], rs.absEnds[:0]
	for i, start := 0, 0; i < len(rs.rec.ends); i++ {
		var ok bool
		if rs.abs, ok = rs.snapTo(rs.abs, rs.rec.pts[start:rs.rec.ends[i]]); ok {
			rs.absEnds = append(rs.absEnds, len(rs.abs))
		}
		start = rs.rec.ends[i]
	}
	o := dst.Rect.Min
	for y := r.Min.Y; y < r.Max.Y; y = o.Y + ((y-o.Y)/cellRows+1)*cellRows {
		for x := r.Min.X; x < r.Max.X; x = o.X + ((x-o.X)/maxBox+1)*maxBox {
			b := rs.cell(box, x, y)
			rs.begin(b)
			for i, start := 0, 0; i < len(rs.absEnds); i++ {
				rs.addSnapped(rs.abs[start:rs.absEnds[i]])
				start = rs.absEnds[i]
			}
			if rs.anyPoly {
				rs.composite(dst, b, b.Intersect(r), t.Color())
			}
		}
	}
}

// polygons keeps the polygons of a piece (a PolygonSink), end to end.
type polygons struct {
	pts  []Vec
	ends []int // where each polygon ends in pts
}

func (ps *polygons) reset() { ps.pts, ps.ends = ps.pts[:0], ps.ends[:0] }

// Polygon keeps a copy of p.
func (ps *polygons) Polygon(p []Vec) {
	ps.pts = append(ps.pts, p...)
	ps.ends = append(ps.ends, len(ps.pts))
}

// cell returns the part of box in the cell that holds pixel (x, y).
func (rs *Raster) cell(box image.Rectangle, x, y int) image.Rectangle {
	o := rs.canvas.Min
	cx, cy := o.X+(x-o.X)/maxBox*maxBox, o.Y+(y-o.Y)/cellRows*cellRows
	return image.Rect(cx, cy, cx+maxBox, cy+cellRows).Intersect(box)
}

// Disc draws a filled disc of radius rad at (cx, cy) into dst, inside within.
func (rs *Raster) Disc(dst *image.RGBA, within image.Rectangle, cx, cy, rad float32, c color.RGBA) image.Rectangle {
	e := rad + 1
	box := boxRect(cx-e, cy-e, cx+e, cy+e).Intersect(dst.Rect)
	r := box.Intersect(within)
	if r.Empty() {
		return image.Rectangle{}
	}
	rs.canvas = dst.Rect
	poly := AppendDisc(rs.disc[:0], cx, cy, rad)
	rs.disc = poly
	o := dst.Rect.Min
	for y := r.Min.Y; y < r.Max.Y; y = o.Y + ((y-o.Y)/cellRows+1)*cellRows {
		for x := r.Min.X; x < r.Max.X; x = o.X + ((x-o.X)/maxBox+1)*maxBox {
			b := rs.cell(box, x, y)
			rs.begin(b)
			rs.Polygon(poly)
			if rs.anyPoly {
				rs.composite(dst, b, b.Intersect(r), c)
			}
		}
	}
	return r
}

// boxRect returns the whole pixels that a box touches; boxes far outside
// any image give an empty rectangle rather than overflowing.
func boxRect(minX, minY, maxX, maxY float32) image.Rectangle {
	const lim = 1 << 24
	if !(minX < lim && minY < lim && maxX > -lim && maxY > -lim) {
		return image.Rectangle{}
	}
	f := func(v float32) int { return int(math.Floor(float64(max(-lim, min(lim, v))))) }
	c := func(v float32) int { return int(math.Ceil(float64(max(-lim, min(lim, v))))) }
	return image.Rect(f(minX), f(minY), c(maxX), c(maxY))
}

func (rs *Raster) begin(r image.Rectangle) {
	w, h := r.Dx(), r.Dy()
	rs.z.Reset(w, h)
	rs.z.DrawOp = draw.Src
	rs.box = r
	rs.anyPoly = false
}

// Polygon adds a polygon, in canvas pixels, to the current mask.
func (rs *Raster) Polygon(p []Vec) {
	pts, ok := rs.snapTo(rs.snapped[:0], p)
	rs.snapped = pts
	if ok {
		rs.addSnapped(pts)
	}
}

// snapTo clips what of p reaches far outside the canvas (the same way
// whatever the box), snaps it to the 1/512 grid in canvas coordinates
// shifted by canonMargin (exact non-negative integers), and appends it to
// dst; false if no polygon is left.
func (rs *Raster) snapTo(dst [][2]int32, p []Vec) ([][2]int32, bool) {
	c := rs.canvas
	x0, y0 := float32(c.Min.X-canonMargin), float32(c.Min.Y-canonMargin)
	x1, y1 := float32(c.Max.X+canonMargin), float32(c.Max.Y+canonMargin)
	for _, q := range p {
		if !(q.X >= x0 && q.X <= x1 && q.Y >= y0 && q.Y <= y1) {
			p = rs.clipPoly(p, x0, y0, x1, y1)
			break
		}
	}
	if len(p) < 3 {
		return dst, false
	}
	// Coordinates are now within canonMargin of the canvas: shifted to be
	// positive, they round by truncation.
	offX := float32(canonMargin-c.Min.X)*snap + 0.5
	offY := float32(canonMargin-c.Min.Y)*snap + 0.5
	for _, q := range p {
		dst = append(dst, [2]int32{int32(q.X*snap + offX), int32(q.Y*snap + offY)})
	}
	return dst, true
}

// addSnapped adds a polygon that snapTo snapped to the current mask.
func (rs *Raster) addSnapped(pts [][2]int32) {
	// Relative to the box, in 1/512 units.
	c := rs.canvas
	bx := int32(rs.box.Min.X)*snap + int32(canonMargin-c.Min.X)*snap
	by := int32(rs.box.Min.Y)*snap + int32(canonMargin-c.Min.Y)*snap
	bw, bh := int32(rs.box.Dx())*snap, int32(rs.box.Dy())*snap
	left, top, right, bottom := true, true, true, true
	for _, q := range pts {
		sx, sy := q[0]-bx, q[1]-by
		left = left && sx <= 0
		top = top && sy <= 0
		right = right && sx >= bw
		bottom = bottom && sy >= bh
	}
	if left || top || right || bottom {
		return // outside the box: it would add nothing
	}
	rs.anyPoly = true
	// An edge wholly above the box or wholly below it adds nothing to the
	// box's rows: the pen jumps over it (MoveTo only moves the pen; the
	// path is closed by hand). A piece cut into cells then costs each cell
	// only the edges that reach it.
	const k = 1.0 / snap
	ay := pts[0][1] - by
	rs.z.MoveTo(float32(pts[0][0]-bx)*k, float32(ay)*k)
	for i := 1; i <= len(pts); i++ {
		q := pts[i%len(pts)]
		qx, qy := q[0]-bx, q[1]-by
		x, y := float32(qx)*k, float32(qy)*k
		if ay <= 0 && qy <= 0 || ay >= bh && qy >= bh {
			rs.z.MoveTo(x, y)
		} else {
			rs.z.LineTo(x, y)
		}
		ay = qy
	}
}

// clipPoly clips a convex polygon to a box (Sutherland–Hodgman).
func (rs *Raster) clipPoly(p []Vec, x0, y0, x1, y1 float32) []Vec {
	in := append(rs.clip[0][:0], p...)
	out := rs.clip[1][:0]
	for edge := 0; edge < 4; edge++ {
		out = out[:0]
		inside := func(q Vec) bool {
			switch edge {
			case 0:
				return q.X >= x0
			case 1:
				return q.Y >= y0
			case 2:
				return q.X <= x1
			}
			return q.Y <= y1
		}
		cut := func(a, b Vec) Vec {
			var t float32
			switch edge {
			case 0:
				t = (x0 - a.X) / (b.X - a.X)
				return Vec{x0, a.Y + t*(b.Y-a.Y)}
			case 1:
				t = (y0 - a.Y) / (b.Y - a.Y)
				return Vec{a.X + t*(b.X-a.X), y0}
			case 2:
				t = (x1 - a.X) / (b.X - a.X)
				return Vec{x1, a.Y + t*(b.Y-a.Y)}
			}
			t = (y1 - a.Y) / (b.Y - a.Y)
			return Vec{a.X + t*(b.X-a.X), y1}
		}
		for i, b := range in {
			a := in[(i+len(in)-1)%len(in)]
			ai, bi := inside(a), inside(b)
			switch {
			case ai && bi:
				out = append(out, b)
			case ai && !bi:
				out = append(out, cut(a, b))
			case !ai && bi:
				out = append(out, cut(a, b), b)
			}
		}
		in, out = out, in
		if len(in) == 0 {
			break
		}
	}
	rs.clip[0], rs.clip[1] = in, out
	return in
}

// composite paints colour c through the mask just rasterized for box b
// onto dst, inside clip (a part of b).
func (rs *Raster) composite(dst *image.RGBA, b, clip image.Rectangle, c color.RGBA) {
	w, h := b.Dx(), b.Dy()
	if n := w * h; cap(rs.buf) < n {
		rs.buf = make([]byte, n)
	}
	rs.mask.Pix, rs.mask.Stride, rs.mask.Rect = rs.buf[:w*h], w, image.Rect(0, 0, w, h)
	rs.z.Draw(&rs.mask, rs.mask.Rect, image.Opaque, image.Point{})
	mask := rs.mask.Pix[(clip.Min.Y-b.Min.Y)*w+clip.Min.X-b.Min.X:]
	rs.touched = prefetchRows(dst, clip, mask, w)
	compositeMask(dst, clip, mask, w, c, rs.NoAntiAlias)
}

// compositeMask paints c over dst inside r through mask (one byte of
// coverage per pixel of r, rows stride bytes apart): dst = c·m + dst·(1 − α·m),
// in 8-bit fixed point with exact rounding, two channels at a time.
func compositeMask(dst *image.RGBA, r image.Rectangle, mask []byte, stride int, c color.RGBA, hard bool) {
	w := r.Dx()
	src := uint32(c.R) | uint32(c.G)<<8 | uint32(c.B)<<16 | uint32(c.A)<<24
	srcLo, srcHi := src&0x00ff00ff, src>>8&0x00ff00ff
	sa := uint32(c.A)
	opaque := c.A == 0xff
	for y := 0; y < r.Dy(); y++ {
		row := mask[y*stride : y*stride+w]
		off := dst.PixOffset(r.Min.X, r.Min.Y+y)
		pix := dst.Pix[off : off+4*w : off+4*w]
		for x := 0; x < len(row); x++ {
			m := uint32(row[x])
			if m == 0 {
				// Skip empty coverage eight pixels at a time.
				for x+8 < len(row) && binary.LittleEndian.Uint64(row[x+1:x+9]) == 0 {
					x += 8
				}
				continue
			}
			if hard {
				if m < 0x80 {
					continue
				}
				m = 0xff
			}
			p := pix[4*x : 4*x+4 : 4*x+4]
			if m == 0xff && opaque {
				binary.LittleEndian.PutUint32(p, src)
				continue
			}
			inv := 0xff - div255(sa*m)
			d := binary.LittleEndian.Uint32(p)
			lo := (d&0x00ff00ff)*inv + srcLo*m
			hi := (d>>8&0x00ff00ff)*inv + srcHi*m
			binary.LittleEndian.PutUint32(p, div255x2(lo)|div255x2(hi)<<8)
		}
	}
}

// prefetchRows touches, in every row of r, the first destination pixel
// under ink, with independent loads: the processor fetches these cache
// lines all at once instead of waiting for each in turn when compositing
// (strokes land anywhere on a canvas far bigger than the caches).
func prefetchRows(dst *image.RGBA, r image.Rectangle, mask []byte, stride int) (touched byte) {
	w := r.Dx()
	var sink byte
	for y := 0; y < r.Dy(); y++ {
		row := mask[y*stride : y*stride+w]
		x := 0
		for x+8 <= len(row) && binary.LittleEndian.Uint64(row[x:x+8]) == 0 {
			x += 8
		}
		for x < len(row) && row[x] == 0 {
			x++
		}
		if x < len(row) {
			sink |= dst.Pix[dst.PixOffset(r.Min.X+x, r.Min.Y+y)]
		}
	}
	return sink
}

// div255 returns v/255 rounded, for v ≤ 255·255.
func div255(v uint32) uint32 {
	v += 0x80
	return (v + v>>8) >> 8
}

// div255x2 divides both 16-bit lanes of v by 255, rounded.
func div255x2(v uint32) uint32 {
	v += 0x00800080
	return (v + v>>8&0x00ff00ff) >> 8 & 0x00ff00ff
}
