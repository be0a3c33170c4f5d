// Package canvas turns a playing drawing into pixels, doing each frame only
// the new work.
//
// The pieces, from geometry to frames:
//
//   - Fit maps drawing units onto a canvas of W×H pixels (aspect kept,
//     centred).
//   - Tessellator turns a piece of a stroke into convex polygons: one quad per
//     segment, a round wedge at every join, round caps, a disc for a dot.
//     Width is the stroke's width times the fit's scale; width 0 is a one-pixel
//     hairline; any width works. Polygons are wound the same way, so their
//     union is what a rasterizer that adds coverage draws. Batcher triangulates
//     the same polygons into vertex/index batches of at most BatchVertices
//     (never more than 65,536 vertices, so indices fit in uint16) for the GPU.
//   - Strokes are baked in chunks of up to ChunkSegments segments. A chunk is
//     baked into the ink layer once, when its last point is revealed; the
//     part of the current chunk revealed so far (the live tail, with the pen's
//     partial segment) is drawn over the frame each frame and never baked.
//     So the ink layer at any moment holds exactly the chunks complete at that
//     time, composited in drawing order, whatever frames led there: playing to
//     t, seeking to t from anywhere, and rendering to t from scratch give the
//     same pixels.
//   - Ink keeps that bookkeeping for any Surface (the software Raster here,
//     the Ebiten image in canvas/gpu): which chunks to bake for a new cursor
//     mark, which tail to draw, and keyframes — snapshots of the ink layer taken
//     while baking forward, so that a backward seek restores the nearest
//     earlier snapshot and bakes only from there. Keyframe spacing (in points)
//     is chosen so that the snapshots are expected to fit their budgets. The
//     software renderer stores a keyframe as the 64×64 tiles that changed
//     since the layer last matched stored tiles: compressed with LZ4 in
//     memory (DefaultKeyframeBudget) and, once that is full, as they are in
//     a temporary file (DefaultKeyframeDiskBudget); restoring one rewrites
//     only the tiles that differ. A sparse drawing's keyframes cost little;
//     a dense one's cost about five eighths of a frame each in memory. The
//     frame that takes a keyframe only chooses its tiles: the next frames
//     copy them out a few at a time (at once, before drawing over one), and
//     a goroutine compresses or writes the copies.
//   - The software renderer bakes a run of chunks on several cores
//     (Options.Workers): the canvas is cut into cells of 512×128 pixels,
//     one worker per cell at a time. The rasterizer cuts every piece at the
//     same cell lines whatever it draws, so a pixel's value does not depend
//     on the cell a worker drew it in, and the frames are the same, byte for
//     byte, on any number of cores.
//   - Renderer is the software frame composer: the ink layer is itself the
//     frame buffer; each frame it restores the small patch under the last
//     frame's overlay (tail and pen), bakes the new chunks, saves the patch
//     under the new overlay and draws it. The image it returns is a complete
//     frame, though it never copies the whole canvas. Naive is the baseline
//     that redraws every revealed chunk each frame.
//
// Coordinates in this package are pixels of the canvas, x right, y down;
// colours are premultiplied color.RGBA, as in the standard library.
package canvas
