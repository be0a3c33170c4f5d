package canvas

import (
	"image"
	"image/color"
	"os"
	"runtime"

	"github.com/pierrec/lz4/v4"
)

// Keyframe storage defaults.
const (
	// DefaultKeyframeBudget is the memory keyframes may take when Options
	// says nothing, in compressed bytes: 8 MiB. A drawing of a few thousand
	// strokes keeps all its keyframes in it; a dense one (100,000 generated
	// strokes, whose every keyframe compresses only to about 5 MB at
	// 1920×1080) keeps one or two and the rest go to the file.
	DefaultKeyframeBudget = 8 << 20
	// DefaultKeyframeDiskBudget is the room keyframes may take in a
	// temporary file once the memory budget is full: 512 MiB. Only dense
	// drawings use it.
	DefaultKeyframeDiskBudget = 512 << 20
)

// TileSize is the side of a keyframe tile, in pixels.
const TileSize = 64

// Special blob ids of keyframeStore.cur and keyTiles.refs.
const (
	bgBlob      = 0  // the tile is the background
	dirtyTile   = -1 // the tile has changed since it was last stored
	pendingTile = -2 // the tile equals what the pending keyframe stores (keysnap.go)
)

// keyframeStore keeps keyframes of the frame buffer as tiles of TileSize
// pixels: a keyframe stores only the tiles that changed since the layer
// last matched a stored tile (the ink only grows, so most tiles of a sparse
// drawing are blank or unchanged) and refers to the stored copies of the
// others. Stored tiles (blobs) are counted by reference and kept in memory,
// compressed with LZ4, up to a budget; a keyframe that does not fit there
// goes to a temporary file (deleted as soon as it is created where the
// system allows, else when the store closes), which costs no process
// memory, uncompressed: only dense drawings overflow, and their tiles
// shrink little. Tiles are stored in the background while the following
// frames draw (keysnap.go), so taking a keyframe does not stall its frame.
// Restoring a keyframe rewrites only the tiles where the layer differs from
// it.
//
// Why LZ4 (github.com/pierrec/lz4/v4, block format) and not compress/flate:
// on the tiles of a dense 100,000-stroke drawing, flate at its fastest level
// stores 18 % less but decodes about ten times slower (a whole frame's
// tiles: tens of milliseconds against a few), and decoding is what the frame
// after a backward seek waits for. BenchmarkKeyframeCodec measures both.
type keyframeStore struct {
	rect    image.Rectangle // the frame
	tw, th  int             // tiles across and down
	bg      color.RGBA
	ramMax  int64
	diskMax int64
	dir     string
	mem     MemoryAccount

	cur     []int32  // by tile: the blob the layer's tile equals, bgBlob, dirtyTile or pendingTile
	pages   [][]blob // blob id i is pages[i/blobPage][i%blobPage]; id 0 is the background
	nBlobs  int32
	freeIDs []int32
	keys    map[int]*keyTiles
	ramUsed int64
	ramKeys int

	file     *os.File
	broken   bool // the file failed once: no more disk keyframes
	end      int64
	diskUsed int64
	diskKeys int

	// pend is the keyframe being stored in the background, or nil
	// (keysnap.go); enc, ahead and aheadIdx are its encoder's codec
	// scratch and tiles read ahead, own the renderer's scratch when it
	// stores a tile itself.
	pend     *pendingKey
	lastKey  *pendingKey // reused by the next keyframe
	enc      tileScratch
	ahead    [][]byte
	aheadIdx []int
	own      tileScratch
	// pendIdx is, by tile, its index in the pending keyframe's tiles until
	// it is copied; else -1.
	pendIdx []int32
	// spare holds tile buffers for the pending keyframe's copies;
	// spareMade counts the buffers made.
	spare     chan []byte
	spareMade int
	// holdEncoder keeps each encoder from starting until the keyframe is
	// needed (tests).
	holdEncoder bool
	// Per restore: the keyframe being restored.
	restoring *keyTiles
}

// keyTiles is one keyframe: the blob of every tile.
type keyTiles struct {
	refs []int32
	disk bool // its new tiles went to the file
}

// blob is one stored tile: in memory (data) or in the file (off, size);
// raw when LZ4 could not shrink it.
type blob struct {
	data []byte
	off  int64
	size int32
	raw  bool
	disk bool
	refs int32
}

func newKeyframeStore(rect image.Rectangle, bg color.RGBA, ramBudget, diskBudget int64, dir string, mem MemoryAccount) *keyframeStore {
	s := &keyframeStore{rect: rect, bg: bg, dir: dir, mem: mem, keys: map[int]*keyTiles{},
		ramMax: max(0, ramBudget), diskMax: max(0, diskBudget)}
	s.tw = (rect.Dx() + TileSize - 1) / TileSize
	s.th = (rect.Dy() + TileSize - 1) / TileSize
	s.cur = make([]int32, s.tw*s.th)
	s.nBlobs = 1
	s.spare = make(chan []byte, spareTiles)
	return s
}

// capacity returns how many keyframes the budgets are expected to hold: a
// keyframe is counted in memory at five eighths of a raw frame, about what
// the tiles of a dense drawing compress to, and in the file at a whole one
// (sparse drawings need far less).
func (s *keyframeStore) capacity() int {
	frame := max(1, int64(4*s.rect.Dx()*s.rect.Dy()))
	return int(s.ramMax/max(1, frame*5/8) + s.diskMax/frame)
}

// tileRect returns tile t's pixels.
func (s *keyframeStore) tileRect(t int) image.Rectangle {
	x, y := s.rect.Min.X+(t%s.tw)*TileSize, s.rect.Min.Y+(t/s.tw)*TileSize
	return image.Rect(x, y, x+TileSize, y+TileSize).Intersect(s.rect)
}

// tileSpan returns the tiles under r, as the columns x0..x1 and the rows
// y0..y1 (inclusive); ok is false when r misses the frame.
func (s *keyframeStore) tileSpan(r image.Rectangle) (x0, y0, x1, y1 int, ok bool) {
	r = r.Intersect(s.rect)
	if r.Empty() {
		return 0, 0, 0, 0, false
	}
	x0, x1 = (r.Min.X-s.rect.Min.X)/TileSize, (r.Max.X-1-s.rect.Min.X)/TileSize
	y0, y1 = (r.Min.Y-s.rect.Min.Y)/TileSize, (r.Max.Y-1-s.rect.Min.Y)/TileSize
	return x0, y0, x1, y1, true
}

// touch marks the tiles under r as changed; call it before changing them
// (a pending keyframe may need them first: see beforeWrite).
func (s *keyframeStore) touch(r image.Rectangle) {
	s.beforeWrite(r)
	x0, y0, x1, y1, ok := s.tileSpan(r)
	if !ok {
		return
	}
	for y := y0; y <= y1; y++ {
		row := s.cur[y*s.tw : (y+1)*s.tw]
		for x := x0; x <= x1; x++ {
			row[x] = dirtyTile
		}
	}
}

// cleared records that the layer is the background everywhere. The caller
// settles the pending keyframe before clearing.
func (s *keyframeStore) cleared() {
	for i := range s.cur {
		s.cur[i] = bgBlob
	}
}

// tileScratch is a worker's buffers for the codec.
type tileScratch struct {
	c   lz4.Compressor
	raw []byte
	buf []byte
	rd  []byte
}

// blobPage is how many blobs a page holds: pages, once made, never move,
// so a growing store leaves no garbage behind.
const blobPage = 4096

// blob returns blob id.
func (s *keyframeStore) blob(id int32) *blob { return &s.pages[id/blobPage][id%blobPage] }

func (s *keyframeStore) newBlob(b blob) int32 {
	id := s.nBlobs
	if n := len(s.freeIDs); n > 0 {
		id, s.freeIDs = s.freeIDs[n-1], s.freeIDs[:n-1]
	} else {
		if int(id/blobPage) == len(s.pages) {
			s.pages = append(s.pages, make([]blob, blobPage))
		}
		s.nBlobs++
	}
	*s.blob(id) = b
	return id
}

// free releases blob id and forgets that any tile of the layer equals it.
func (s *keyframeStore) free(id int32) {
	b := s.blob(id)
	if b.disk {
		s.diskUsed -= int64(b.size)
	} else {
		s.ramUsed -= int64(len(b.data))
	}
	*b = blob{}
	s.freeIDs = append(s.freeIDs, id)
	for t, c := range s.cur {
		if c == id {
			s.cur[t] = dirtyTile
		}
	}
}

// restoreTiles is the restore task: each worker rewrites tiles p.tiles of
// the layer from the keyframe being restored.
func restoreTiles(p *pool, w *bakeWorker) {
	s := p.keys
	kt := s.restoring
	for {
		i, ok := p.take(len(p.tiles))
		if !ok {
			return
		}
		t := int(p.tiles[i])
		if !s.restoreTile(p.img, t, kt.refs[t], &w.tile) {
			p.ok.Store(false)
		}
	}
}

// restoreTile writes blob id into tile t of img.
func (s *keyframeStore) restoreTile(img *image.RGBA, t int, id int32, ts *tileScratch) bool {
	r := s.tileRect(t)
	rowBytes := 4 * r.Dx()
	if id == bgBlob {
		c := s.bg
		for y := r.Min.Y; y < r.Max.Y; y++ {
			off := img.PixOffset(r.Min.X, y)
			row := img.Pix[off : off+rowBytes]
			for x := 0; x < len(row); x += 4 {
				row[x], row[x+1], row[x+2], row[x+3] = c.R, c.G, c.B, c.A
			}
		}
		return true
	}
	b := s.blob(id)
	data := b.data
	if b.disk {
		if cap(ts.rd) < int(b.size) {
			ts.rd = make([]byte, b.size)
		}
		data = ts.rd[:b.size]
		if _, err := s.file.ReadAt(data, b.off); err != nil {
			return false
		}
	}
	src := data
	if !b.raw {
		need := rowBytes * r.Dy()
		if cap(ts.raw) < need {
			ts.raw = make([]byte, need)
		}
		n, err := lz4.UncompressBlock(data, ts.raw[:need])
		if err != nil || n != need {
			return false
		}
		src = ts.raw[:need]
	}
	if len(src) != rowBytes*r.Dy() {
		return false
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		off := img.PixOffset(r.Min.X, y)
		copy(img.Pix[off:off+rowBytes], src[(y-r.Min.Y)*rowBytes:])
	}
	return true
}

// restore rewrites, on the pool's workers, the tiles of img that differ
// from keyframe slot; false if it cannot (the layer is then undefined).
func (s *keyframeStore) restore(slot int, pl *pool, img *image.RGBA) bool {
	if s.pend != nil && s.pend.slot == slot {
		s.settle()
	}
	kt := s.keys[slot]
	if kt == nil {
		return false
	}
	tiles := pl.tiles[:0]
	for t, id := range kt.refs {
		if s.cur[t] != id {
			tiles = append(tiles, int32(t))
		}
	}
	pl.tiles = tiles
	if len(tiles) == 0 {
		return true
	}
	for _, t := range tiles {
		s.beforeWriteTile(int(t))
	}
	s.restoring = kt
	pl.keys, pl.img = s, img
	pl.ok.Store(true)
	pl.run(restoreTiles)
	pl.keys, s.restoring = nil, nil
	if !pl.ok.Load() {
		if kt.disk {
			s.broken = true
		}
		for _, t := range tiles {
			s.cur[t] = dirtyTile
		}
		return false
	}
	for _, t := range tiles {
		s.cur[t] = kt.refs[t]
	}
	return true
}

// drop frees keyframe slot, and the tiles no other keyframe uses.
func (s *keyframeStore) drop(slot int) {
	if s.pend != nil && s.pend.slot == slot {
		s.settle()
	}
	kt := s.keys[slot]
	if kt == nil {
		return
	}
	delete(s.keys, slot)
	if kt.disk {
		s.diskKeys--
	} else {
		s.ramKeys--
	}
	for _, id := range kt.refs {
		if id <= bgBlob {
			continue
		}
		if b := s.blob(id); b.refs > 1 {
			b.refs--
		} else {
			s.free(id)
		}
	}
	if s.diskKeys == 0 && s.file != nil && s.end > 0 {
		s.end = 0
		s.file.Truncate(0)
	}
	s.account()
}

// account tells the memory account what the store holds in memory.
func (s *keyframeStore) account() {
	if s.mem == nil {
		return
	}
	if s.ramUsed == 0 {
		s.mem.Release(keyframeMemName)
		return
	}
	s.mem.Track(keyframeMemName, s.ramUsed)
}

// keyframeMemName is the store's buffer name for a MemoryAccount.
const keyframeMemName = "canvas.keyframes"

// openFile opens the keyframe file if it is not open yet.
func (s *keyframeStore) openFile() bool {
	if s.file != nil {
		return true
	}
	if s.broken {
		return false
	}
	f, err := os.CreateTemp(s.dir, "mbotdraw-keyframes-*")
	if err != nil {
		s.broken = true
		return false
	}
	if runtime.GOOS != "windows" {
		os.Remove(f.Name()) // the open file lives on, nameless
	}
	s.file = f
	return true
}

// usage returns the keyframes held in memory and in the file, and the
// bytes each place holds.
func (s *keyframeStore) usage() (ram, disk int, ramBytes, diskBytes int64) {
	s.settle()
	return s.ramKeys, s.diskKeys, s.ramUsed, s.diskUsed
}

func (s *keyframeStore) close() {
	s.settle()
	for slot := range s.keys {
		s.drop(slot)
	}
	s.account()
	if s.file != nil {
		name := s.file.Name()
		s.file.Close()
		if runtime.GOOS == "windows" {
			os.Remove(name)
		}
		s.file = nil
	}
	s.end = 0
}
