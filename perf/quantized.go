package perf

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// QuantScale is the number of quantization steps per pixel: QuantizedXY
// stores coordinates in 1/16-pixel units, so a stored point is within
// 1/32 pixel of the original (half a step), well inside the 1/16-pixel
// bound the renderer needs.
const QuantScale = 16

// quantBlock points share one absolute anchor; At decodes at most this many
// points.
const quantBlock = 64

// quantEsc opens a wide delta in the byte stream: int16 dx, dy follow; a dx
// of quantAbs instead says int32 absolute x, y follow.
const (
	quantEsc = 0x80
	quantAbs = math.MinInt16
)

// quantMax is the largest coordinate magnitude that can be stored, in pixels
// (int32 range in 1/16-pixel units: about ±134 million pixels).
const quantMax = float64(math.MaxInt32) / QuantScale

// QuantizedXY is compact point storage for drawings: fixed-point integers in
// 1/16-pixel units instead of float32 pairs. Points are delta-coded in a
// byte stream: a step of up to ±7.9 pixels in x and y (the usual distance
// between two samples of a pen stroke) takes 2 bytes (int8 dx, dy), a jump
// of up to ±2,047 pixels 5 bytes, a larger one 11 bytes. Every 64th point is
// an anchor with its absolute position and stream offset (12 bytes), so At
// decodes at most 64 points. A drawing-like sequence takes about 2.4 bytes
// a point, against 8 for float32 XY and 16 for float64.
//
// Quantization does not accumulate along a stroke: deltas are taken between
// quantized positions, so every point is within 1/32 pixel (half a step) of
// the original, and within 1/16 pixel after At's float32 conversion for
// coordinates up to a million pixels.
//
// The zero value is empty and ready to use. Not safe for concurrent writes.
type QuantizedXY struct {
	s       []byte
	anchors []quantAnchor
	lastX   int32
	lastY   int32
	n       int
}

type quantAnchor struct {
	x, y int32
	off  uint32
}

// Grow makes room for about n more points (at 2 bytes each) without
// reallocation.
func (q *QuantizedXY) Grow(n int) {
	if n <= 0 {
		return
	}
	q.s = slices.Grow(q.s, 2*n)
	q.anchors = slices.Grow(q.anchors, (q.n+n+quantBlock-1)/quantBlock-len(q.anchors))
}

// quantize converts one coordinate to 1/16-pixel units.
func quantize(v float32) (int32, error) {
	f := float64(v)
	if math.IsNaN(f) || math.Abs(f) > quantMax {
		return 0, fmt.Errorf("coordinate %v outside ±%.0f px", v, quantMax)
	}
	return int32(math.Round(f * QuantScale)), nil
}

// Append adds the point (x, y) in pixels. It fails, storing nothing, when a
// coordinate is NaN or beyond about ±134 million pixels.
func (q *QuantizedXY) Append(x, y float32) error {
	qx, err := quantize(x)
	if err != nil {
		return fmt.Errorf("point %d: x: %w", q.n, err)
	}
	qy, err := quantize(y)
	if err != nil {
		return fmt.Errorf("point %d: y: %w", q.n, err)
	}
	if q.n%quantBlock == 0 {
		if uint64(len(q.s)) > math.MaxUint32 {
			return fmt.Errorf("point %d: storage full", q.n)
		}
		q.anchors = append(q.anchors, quantAnchor{qx, qy, uint32(len(q.s))})
	} else {
		dx, dy := int64(qx)-int64(q.lastX), int64(qy)-int64(q.lastY)
		switch {
		case dx >= -127 && dx <= 127 && dy >= -127 && dy <= 127:
			q.s = append(q.s, byte(int8(dx)), byte(int8(dy)))
		case dx > math.MinInt16 && dx <= math.MaxInt16 && dy >= math.MinInt16 && dy <= math.MaxInt16:
			q.s = append(q.s, quantEsc)
			q.s = binary.LittleEndian.AppendUint16(q.s, uint16(int16(dx)))
			q.s = binary.LittleEndian.AppendUint16(q.s, uint16(int16(dy)))
		default:
			q.s = append(q.s, quantEsc)
			q.s = binary.LittleEndian.AppendUint16(q.s, uint16(quantAbs&0xffff))
			q.s = binary.LittleEndian.AppendUint32(q.s, uint32(qx))
			q.s = binary.LittleEndian.AppendUint32(q.s, uint32(qy))
		}
	}
	q.lastX, q.lastY = qx, qy
	q.n++
	return nil
}

// step decodes the point at stream offset off, which follows (x, y), and
// returns it with the next offset.
func (q *QuantizedXY) step(off int, x, y int32) (int, int32, int32) {
	s := q.s
	if s[off] != quantEsc {
		return off + 2, x + int32(int8(s[off])), y + int32(int8(s[off+1]))
	}
	dx := int16(binary.LittleEndian.Uint16(s[off+1:]))
	if dx != quantAbs {
		return off + 5, x + int32(dx), y + int32(int16(binary.LittleEndian.Uint16(s[off+3:])))
	}
	return off + 11, int32(binary.LittleEndian.Uint32(s[off+3:])), int32(binary.LittleEndian.Uint32(s[off+7:]))
}

// AppendXY adds interleaved x, y pairs (as playback.Drawing.XY holds them);
// a trailing odd value is ignored. On error the points before the bad one
// are kept.
func (q *QuantizedXY) AppendXY(xy []float32) error {
	q.Grow(len(xy) / 2)
	for i := 0; i+1 < len(xy); i += 2 {
		if err := q.Append(xy[i], xy[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// Len returns the number of points.
func (q *QuantizedXY) Len() int { return q.n }

// At returns point i in pixels (to within 1/32 pixel of what was appended).
// It panics when i is out of range, like a slice index.
func (q *QuantizedXY) At(i int) (x, y float32) {
	if i < 0 || i >= q.n {
		panic(fmt.Sprintf("perf: QuantizedXY index %d out of range [0,%d)", i, q.n))
	}
	a := q.anchors[i/quantBlock]
	off, qx, qy := int(a.off), a.x, a.y
	for range i % quantBlock {
		off, qx, qy = q.step(off, qx, qy)
	}
	return float32(qx) / QuantScale, float32(qy) / QuantScale
}

// Decode appends every point to dst as interleaved x, y pixels and returns
// the extended slice: the fast way to read them all in order.
func (q *QuantizedXY) Decode(dst []float32) []float32 {
	dst = slices.Grow(dst, 2*q.n)
	var qx, qy int32
	off := 0
	for j := 0; j < q.n; j++ {
		if j%quantBlock == 0 {
			a := q.anchors[j/quantBlock]
			qx, qy = a.x, a.y
		} else {
			off, qx, qy = q.step(off, qx, qy)
		}
		dst = append(dst, float32(qx)/QuantScale, float32(qy)/QuantScale)
	}
	return dst
}

// Bytes returns the memory the storage holds, in bytes (capacities, so
// growth slack counts; Clip removes it).
func (q *QuantizedXY) Bytes() int {
	return cap(q.s) + int(unsafe.Sizeof(quantAnchor{}))*cap(q.anchors)
}

// Clip drops spare capacity, so Bytes is what the points need.
func (q *QuantizedXY) Clip() {
	s := make([]byte, len(q.s))
	copy(s, q.s)
	a := make([]quantAnchor, len(q.anchors))
	copy(a, q.anchors)
	q.s, q.anchors = s, a
}

// Reset empties the storage, keeping its memory for reuse.
func (q *QuantizedXY) Reset() {
	q.s, q.anchors = q.s[:0], q.anchors[:0]
	q.lastX, q.lastY, q.n = 0, 0, 0
}
