package canvas

// Quality holds the renderer's quality knobs, the ones the performance
// system's RenderOptimizer turns. The zero value is full quality: the
// documented defaults below. Changing them between frames is safe: a change
// applies to what is baked from then on (pixels baked before keep the old
// quality), so no frame stalls to redraw the past.
type Quality struct {
	// NoAntiAlias draws hard edges. In the software rasterizer it saves a
	// little blending; on the GPU it avoids Ebiten's 2× anti-aliasing buffer.
	NoAntiAlias bool
	// SimplifyTolerance, in pixels, drops points closer than this to the last
	// point kept (0: keep every point).
	SimplifyTolerance float64
	// BatchVertices is the most vertices a GPU batch holds before it is
	// drawn (0: DefaultBatchVertices; at most MaxBatchVertices).
	BatchVertices int
	// KeyframeSpacing is the least distance between keyframes, in points of
	// the drawing (0: as close as the keyframe memory budget allows).
	KeyframeSpacing int
	// DeferBake spreads baking over frames: a frame bakes at most
	// DeferBakePoints points and the picture catches up over the next frames
	// (the pen and tail are drawn where the baked picture is).
	DeferBake bool
}

// Defaults and limits of Quality.
const (
	DefaultBatchVertices = 16384
	MaxBatchVertices     = 65536
	// DeferBakePoints is how many points a frame bakes at most with DeferBake.
	DeferBakePoints = 4096
)

// batchVertices returns the batch size in force.
func (q Quality) batchVertices() int {
	switch {
	case q.BatchVertices <= 0:
		return DefaultBatchVertices
	case q.BatchVertices < 64:
		return 64
	case q.BatchVertices > MaxBatchVertices:
		return MaxBatchVertices
	}
	return q.BatchVertices
}
