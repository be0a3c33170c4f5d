package canvas

import "image/color"

// Vertex is a triangle corner for the GPU: a position in pixels and a
// premultiplied colour with components in [0, 1].
type Vertex struct {
	X, Y       float32
	R, G, B, A float32
}

// Batch is a set of triangles that one draw call can take: at most
// MaxBatchVertices vertices, so that every index fits in a uint16.
type Batch struct {
	Vertices []Vertex
	Indices  []uint16
}

// Batcher triangulates convex polygons (as fans) into batches of at most Max
// vertices and hands each full batch to Flush, which must use it before it
// returns (the batch's slices are reused). Call Finish after the last
// polygon. A Batcher reuses its buffers; it is a PolygonSink.
type Batcher struct {
	// Max is the vertex count a batch never exceeds (0: DefaultBatchVertices;
	// at most MaxBatchVertices).
	Max   int
	Flush func(*Batch)

	b           Batch
	r, g, bl, a float32
	// Flushes counts batches handed to Flush.
	Flushes int
}

// SetColor sets the colour of the polygons that follow.
func (bt *Batcher) SetColor(c color.RGBA) {
	bt.r, bt.g, bt.bl, bt.a = float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255
}

func (bt *Batcher) max() int { return Quality{BatchVertices: bt.Max}.batchVertices() }

// Polygon adds the fan triangulation of a convex polygon.
func (bt *Batcher) Polygon(p []Vec) {
	if len(p) < 3 {
		return
	}
	max := bt.max()
	if len(p) > max {
		// Split a huge fan into fans that share the first vertex.
		for s := 1; s+1 < len(p); s += max - 2 {
			e := min(s+max-2, len(p)-1)
			bt.fan(p[0], p[s:e+1], max)
		}
		return
	}
	bt.fan(p[0], p[1:], max)
}

func (bt *Batcher) fan(c Vec, rim []Vec, max int) {
	if len(bt.b.Vertices)+1+len(rim) > max {
		bt.flush()
	}
	base := uint16(len(bt.b.Vertices))
	bt.b.Vertices = append(bt.b.Vertices, Vertex{c.X, c.Y, bt.r, bt.g, bt.bl, bt.a})
	for _, q := range rim {
		bt.b.Vertices = append(bt.b.Vertices, Vertex{q.X, q.Y, bt.r, bt.g, bt.bl, bt.a})
	}
	for i := 1; i < len(rim); i++ {
		bt.b.Indices = append(bt.b.Indices, base, base+uint16(i), base+uint16(i+1))
	}
}

func (bt *Batcher) flush() {
	if len(bt.b.Indices) > 0 && bt.Flush != nil {
		bt.Flush(&bt.b)
		bt.Flushes++
	}
	bt.b.Vertices, bt.b.Indices = bt.b.Vertices[:0], bt.b.Indices[:0]
}

// Finish flushes the last, partly filled batch.
func (bt *Batcher) Finish() { bt.flush() }

// Pending returns the batch being filled (not yet flushed).
func (bt *Batcher) Pending() *Batch { return &bt.b }
