package canvas

import (
	"bytes"
	"compress/flate"
	"image"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/pierrec/lz4/v4"

	"mbotdraw/playback"
)

// Benchmarks of the hot paths. Per-stroke figures are for generated strokes
// (about 30 points, widths 1 to 5 pixels) on a 1920×1080 canvas:
//
//	go test ./canvas -run '^$' -bench . -benchmem

var (
	benchOnce sync.Once
	bench10k  *playback.Drawing
	bench100k *playback.Drawing
)

func benchDrawings() {
	benchOnce.Do(func() {
		bench10k = playback.Generate(playback.GenOptions{Strokes: 10000, Seed: 1})
		bench100k = playback.Generate(playback.GenOptions{Strokes: 100000, Seed: 1})
	})
}

// BenchmarkTessellate: stroke → convex polygons → GPU batches, per stroke.
func BenchmarkTessellate(b *testing.B) {
	benchDrawings()
	d := bench10k
	var tess Tessellator
	bt := &Batcher{Flush: func(*Batch) {}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := i % len(d.Strokes)
		if _, _, _, _, ok := tess.Prepare(d, wholeStroke(d, s)); ok {
			bt.SetColor(tess.Color())
			tess.Emit(bt)
		}
	}
	bt.Finish()
}

// BenchmarkOutline: stroke → one outline polygon (the software path), per
// stroke.
func BenchmarkOutline(b *testing.B) {
	benchDrawings()
	d := bench10k
	var tess Tessellator
	var sink countSink
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := i % len(d.Strokes)
		if _, _, _, _, ok := tess.Prepare(d, wholeStroke(d, s)); ok {
			tess.EmitOutline(&sink)
		}
	}
}

type countSink struct{ n int }

func (c *countSink) Polygon(p []Vec) { c.n += len(p) }

// BenchmarkRasterize: one stroke tessellated, rasterized with anti-aliasing
// and composited into a 1920×1080 image, per stroke.
func BenchmarkRasterize(b *testing.B) {
	benchDrawings()
	d := bench10k
	img := image.NewRGBA(image.Rect(0, 0, DefaultWidth, DefaultHeight))
	fillRGBA(img, white)
	var tess Tessellator
	var ras Raster
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := i % len(d.Strokes)
		if x0, y0, x1, y1, ok := tess.Prepare(d, wholeStroke(d, s)); ok {
			ras.Fill(img, img.Rect, &tess, x0, y0, x1, y1)
		}
	}
}

// BenchmarkFrame10k: one frame of the 10,000-stroke drawing played over 10 s
// at 60 fps (about 17 new strokes a frame), the whole frame composed.
func BenchmarkFrame10k(b *testing.B) { benchFrames(b, 10000) }

// BenchmarkFrame100k: the same with 100,000 strokes (about 170 a frame).
func BenchmarkFrame100k(b *testing.B) { benchFrames(b, 100000) }

func benchFrames(b *testing.B, n int) {
	benchDrawings()
	d := bench10k
	if n == 100000 {
		d = bench100k
	}
	tm, _ := playback.NewTiming(d, playback.Pacing{})
	r := NewRenderer(d, Options{KeyframeDiskBudget: -1})
	defer r.Close()
	c := playback.NewCursor(tm)
	const frames = 600
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := i % frames
		if f == 0 {
			b.StopTimer()
			c.Reset()
			r.Render(c.Advance(0).To)
			b.StartTimer()
		}
		r.Render(c.Advance(tm.Duration() * float64(f+1) / frames).To)
	}
}

// BenchmarkSeekBack100k: a backward seek to a random place in the
// 100,000-stroke drawing, then the frame there, with the default keyframe
// budgets (memory, then a temporary file).
func BenchmarkSeekBack100k(b *testing.B) {
	benchDrawings()
	d := bench100k
	tm, _ := playback.NewTiming(d, playback.Pacing{})
	r := NewRenderer(d, Options{KeyframeDir: b.TempDir()})
	defer r.Close()
	c := playback.NewCursor(tm)
	end := tm.Duration()
	for f := 1; f <= 600; f++ { // play through once: the keyframes get made
		r.Render(c.Advance(end * float64(f) / 600).To)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r.Render(c.Advance(end).To)
		t := rng.Float64() * end
		b.StartTimer()
		r.Render(c.Advance(t).To)
	}
}

// BenchmarkRenderFromScratch10k: the whole 10,000-stroke drawing, from the
// paper, in one frame (what naive does at the end of the drawing).
func BenchmarkRenderFromScratch10k(b *testing.B) {
	benchDrawings()
	d := bench10k
	r := NewRenderer(d, Options{Redraw: true})
	m := playback.Mark{N: d.NumPoints()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Render(m)
	}
}

// BenchmarkKeyframeCodec compresses and decompresses every tile of a frame
// of the 100,000-stroke drawing a quarter of the way through (dense ink, the
// hard case) with the keyframe codec (LZ4) and with compress/flate at its
// fastest level, and reports the stored size as a share of the raw tiles:
//
//	go test ./canvas -run '^$' -bench KeyframeCodec
func BenchmarkKeyframeCodec(b *testing.B) {
	benchDrawings()
	img := RenderAt(bench100k, playback.Mark{N: bench100k.NumPoints() / 4}, Options{NoPen: true})
	s := newKeyframeStore(img.Rect, white, 0, 0, "", nil)
	var tiles [][]byte
	raw := 0
	for t := range s.cur {
		tile := s.tileBytes(nil, img, t)
		tiles = append(tiles, tile)
		raw += len(tile)
	}
	var lc lz4.Compressor
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	var rd bytes.Reader
	fr := flate.NewReader(&rd)
	codecs := []struct {
		name string
		enc  func(dst, src []byte) []byte
		dec  func(dst, src []byte)
	}{
		{"lz4", func(dst, src []byte) []byte {
			n, _ := lc.CompressBlock(src, dst[:cap(dst)])
			return dst[:n]
		}, func(dst, src []byte) { lz4.UncompressBlock(src, dst) }},
		{"flate", func(dst, src []byte) []byte {
			buf.Reset()
			fw.Reset(&buf)
			fw.Write(src)
			fw.Close()
			return buf.Bytes()
		}, func(dst, src []byte) {
			rd.Reset(src)
			fr.(flate.Resetter).Reset(&rd, nil)
			io.ReadFull(fr, dst)
		}},
	}
	for _, c := range codecs {
		packed := make([][]byte, len(tiles))
		stored := 0
		for i, t := range tiles {
			packed[i] = append([]byte(nil), c.enc(make([]byte, 0, lz4.CompressBlockBound(len(t))+64), t)...)
			stored += len(packed[i])
		}
		b.Run(c.name+"/encode", func(b *testing.B) {
			dst := make([]byte, 0, lz4.CompressBlockBound(TileSize*TileSize*4)+64)
			b.SetBytes(int64(raw))
			for i := 0; i < b.N; i++ {
				for _, t := range tiles {
					c.enc(dst, t)
				}
			}
			b.ReportMetric(float64(stored)/float64(raw), "stored/raw")
		})
		b.Run(c.name+"/decode", func(b *testing.B) {
			dst := make([]byte, TileSize*TileSize*4)
			b.SetBytes(int64(raw))
			for i := 0; i < b.N; i++ {
				for j, t := range tiles {
					c.dec(dst[:len(t)], packed[j])
				}
			}
		})
	}
}
