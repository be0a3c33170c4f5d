package canvas

import (
	"image"
	"runtime"
	"sync/atomic"

	"github.com/pierrec/lz4/v4"
)

// Storing a keyframe in the background.
//
// Taking a keyframe costs its frame only the choice of tiles. An encoder
// goroutine, on another core where there is one, then reads the chosen
// tiles out of the layer a batch at a time (readAhead) and compresses them
// (or writes them to the file) while the following frames go on drawing. A
// tile that the renderer is about to change (a bake, the overlay, a
// restore) before the encoder has read it is first copied by the renderer
// (copy on write, a 16 KiB copy), and the encoder takes that copy instead;
// so the keyframe holds the layer exactly as it was when taken. The copies
// use a fixed set of buffers (spareTiles); when none is free, the renderer
// stores the tile itself, so memory stays bounded (a keyframe in memory
// then costs the frame the tile's compression: the first keyframes of a
// dense drawing, few of them). The renderer takes the finished keyframe in at the
// start of a later frame (poll), or waits for it (settle) before anything
// that needs it whole: restoring or dropping it, clearing the layer, taking
// the next keyframe, reporting the store's usage.

// States of a pending tile (pendingKey.state): the handshake between the
// renderer and the encoder. A tile goes from tileWaiting to tileReading to
// tileRead (the encoder read it from the layer), or from tileWaiting to
// tileCopied (the renderer copied it first). The renderer waits only while
// the encoder reads the very tile it is about to change: a few
// microseconds.
const (
	tileWaiting = iota // in the layer, not read yet
	tileReading        // the encoder is copying it out of the layer
	tileRead           // the encoder has its copy: the layer may change
	tileCopied         // the renderer copied it before changing it
)

// pendingKey is a keyframe whose new tiles are being stored.
type pendingKey struct {
	slot  int
	kt    *keyTiles
	img   *image.RGBA
	tiles []int32        // the tiles to store
	state []atomic.Int32 // by index in tiles
	// made is each tile stored, by index in tiles (the encoder's, or the
	// renderer's when it stored the tile itself); fileEnd is where the
	// next goes in the file; failed: a write failed.
	made    []blob
	toDisk  bool
	fileEnd atomic.Int64
	failed  atomic.Bool
	// copies hands the encoder the tiles the renderer copied.
	copies chan copiedTile
	done   chan struct{}
	// hold, if not nil, keeps the encoder from starting until settle
	// (tests: every tile drawn over meanwhile is copied).
	hold chan struct{}
}

// copiedTile is tile index i of a pending keyframe, copied (nil pix: the
// renderer stored it).
type copiedTile struct {
	i   int
	pix []byte
}

// readAhead is how many tiles the encoder reads from the layer before
// compressing them: 32, 512 KiB.
const readAhead = 32

// snapshot stores the layer img as keyframe slot: it chooses the tiles that
// changed since they were last stored and starts the encoder on them; false
// if the budgets have no room. Room is judged on the tiles' raw size, so a
// keyframe never overshoots a budget.
func (s *keyframeStore) snapshot(slot int, img *image.RGBA) bool {
	s.settle()
	s.drop(slot)
	// The last keyframe's bookkeeping is reused: a dense drawing takes many.
	p := s.lastKey
	if p == nil {
		n := len(s.cur)
		p = &pendingKey{tiles: make([]int32, 0, n), state: make([]atomic.Int32, n), made: make([]blob, n),
			copies: make(chan copiedTile, n)}
		s.lastKey = p
	}
	tiles := p.tiles[:0]
	var rawSize int64
	for t, b := range s.cur {
		if b == dirtyTile {
			tiles = append(tiles, int32(t))
			r := s.tileRect(t)
			rawSize += int64(4 * r.Dx() * r.Dy())
		}
	}
	var toDisk bool
	switch {
	case s.ramMax > 0 && s.ramUsed+rawSize <= s.ramMax && (s.mem == nil || s.mem.Fits(rawSize)):
	case s.diskMax > 0 && s.end+rawSize <= s.diskMax && s.openFile():
		toDisk = true
	default:
		return false
	}
	kt := &keyTiles{refs: make([]int32, len(s.cur)), disk: toDisk}
	copy(kt.refs, s.cur) // the pending tiles are dirtyTile until commit
	for _, id := range kt.refs {
		if id > bgBlob {
			s.blob(id).refs++
		}
	}
	s.keys[slot] = kt
	if toDisk {
		s.diskKeys++
	} else {
		s.ramKeys++
	}
	if len(tiles) == 0 {
		return true
	}
	p.slot, p.kt, p.img, p.tiles, p.toDisk = slot, kt, img, tiles, toDisk
	p.done, p.hold = make(chan struct{}), nil
	p.failed.Store(false)
	for i := range tiles {
		p.state[i].Store(tileWaiting)
	}
	if s.holdEncoder {
		p.hold = make(chan struct{})
	}
	if s.pendIdx == nil {
		s.pendIdx = make([]int32, len(s.cur))
		for t := range s.pendIdx {
			s.pendIdx[t] = -1
		}
	}
	for i, t := range tiles {
		s.pendIdx[t] = int32(i)
		s.cur[t] = pendingTile
	}
	p.fileEnd.Store(s.end)
	s.pend = p
	go s.encode(p, &s.enc)
	return true
}

// encode is the encoder: it stores every tile of p, read from the layer
// unless the renderer copied it first, then closes p.done. It takes the
// renderer's copies as they come, between its own tiles, so that their
// buffers are soon free again.
func (s *keyframeStore) encode(p *pendingKey, ts *tileScratch) {
	if p.hold != nil {
		<-p.hold
	}
	if s.ahead == nil {
		s.ahead = make([][]byte, readAhead)
		s.aheadIdx = make([]int, readAhead)
	}
	copied, taken := 0, 0 // tiles the renderer copied, and copies taken
	take := func(c copiedTile) {
		taken++
		if c.pix != nil {
			s.storeTile(p, c.i, c.pix, ts)
			s.putSpare(c.pix)
		}
	}
	for next := 0; next < len(p.tiles); {
		n := 0
		for ; next < len(p.tiles) && n < readAhead; next++ {
			if !p.state[next].CompareAndSwap(tileWaiting, tileReading) {
				copied++ // it comes through p.copies
				continue
			}
			s.ahead[n] = s.tileBytes(s.ahead[n], p.img, int(p.tiles[next]))
			p.state[next].Store(tileRead)
			s.aheadIdx[n] = next
			n++
		}
		for k := range n {
			for more := true; more; {
				select {
				case c := <-p.copies:
					take(c)
				default:
					more = false
				}
			}
			s.storeTile(p, s.aheadIdx[k], s.ahead[k], ts)
		}
	}
	for taken < copied {
		take(<-p.copies)
	}
	close(p.done)
}

// storeTile keeps raw, tile index i of p, in memory, compressed, or writes
// it as it is to the file, describing it in p.made.
func (s *keyframeStore) storeTile(p *pendingKey, i int, raw []byte, ts *tileScratch) {
	b := blob{raw: true}
	data := raw
	if !p.toDisk {
		if need := lz4.CompressBlockBound(len(raw)); cap(ts.buf) < need {
			ts.buf = make([]byte, need)
		}
		if n, err := ts.c.CompressBlock(raw, ts.buf[:cap(ts.buf)]); err == nil && n > 0 && n < len(raw) {
			data, b.raw = ts.buf[:n], false
		}
	}
	b.size = int32(len(data))
	if p.toDisk {
		b.disk, b.off = true, p.fileEnd.Add(int64(len(data)))-int64(len(data))
		if _, err := s.file.WriteAt(data, b.off); err != nil {
			p.failed.Store(true)
		}
	} else {
		b.data = append([]byte(nil), data...)
	}
	p.made[i] = b
}

// tileBytes copies tile t of img into dst, row after row, and returns it
// (dst grown if it is too small).
func (s *keyframeStore) tileBytes(dst []byte, img *image.RGBA, t int) []byte {
	r := s.tileRect(t)
	n := 4 * r.Dx() * r.Dy()
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	copyRect(img, r, dst, true)
	return dst
}

// beforeWrite must be called before the layer changes under r: it copies
// aside the tiles there that the pending keyframe has not read yet.
func (s *keyframeStore) beforeWrite(r image.Rectangle) {
	if s.pend == nil {
		return
	}
	x0, y0, x1, y1, ok := s.tileSpan(r)
	if !ok {
		return
	}
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			s.beforeWriteTile(y*s.tw + x)
		}
	}
}

// beforeWriteTile is beforeWrite for tile t.
func (s *keyframeStore) beforeWriteTile(t int) {
	p := s.pend
	if p == nil || s.pendIdx[t] < 0 {
		return
	}
	i := int(s.pendIdx[t])
	s.pendIdx[t] = -1
	st := &p.state[i]
	if !st.CompareAndSwap(tileWaiting, tileCopied) {
		for st.Load() == tileReading {
			runtime.Gosched() // the encoder is copying this tile out
		}
		return
	}
	buf := s.getSpare()
	if buf == nil {
		ts := &s.own
		ts.raw = s.tileBytes(ts.raw, p.img, t)
		s.storeTile(p, i, ts.raw, ts)
	} else {
		buf = s.tileBytes(buf, p.img, t)
	}
	p.copies <- copiedTile{i: i, pix: buf}
}

// spareTiles is how many tile buffers the store keeps for the renderer's
// copies: 32, 512 KiB.
const spareTiles = 32

// getSpare returns an empty tile buffer: a spare one, or a new one while
// fewer than spareTiles were made, else nil.
func (s *keyframeStore) getSpare() []byte {
	select {
	case b := <-s.spare:
		return b[:0]
	default:
	}
	if s.spareMade >= spareTiles {
		return nil
	}
	s.spareMade++
	return make([]byte, 0, 4*TileSize*TileSize)
}

// putSpare gives back a tile buffer (the encoder calls it).
func (s *keyframeStore) putSpare(b []byte) {
	select {
	case s.spare <- b:
	default:
	}
}

// poll takes in the pending keyframe if the encoder has finished it; the
// renderer calls it at the start of each frame.
func (s *keyframeStore) poll() {
	if s.pend == nil {
		return
	}
	select {
	case <-s.pend.done:
		s.commit()
	default:
	}
}

// settle waits for the pending keyframe, if any, and takes it in.
func (s *keyframeStore) settle() {
	p := s.pend
	if p == nil {
		return
	}
	if p.hold != nil {
		close(p.hold)
	}
	<-p.done
	s.commit()
}

// commit takes in the finished pending keyframe: its tiles become blobs,
// and a tile of the layer not changed since it was taken equals its blob.
func (s *keyframeStore) commit() {
	p := s.pend
	s.pend = nil
	for i, t := range p.tiles {
		s.pendIdx[t] = -1
		unchanged := s.cur[t] == pendingTile
		if p.failed.Load() {
			if unchanged {
				s.cur[t] = dirtyTile
			}
			continue
		}
		b := p.made[i]
		b.refs = 1
		if b.disk {
			s.diskUsed += int64(b.size)
		} else {
			s.ramUsed += int64(b.size)
		}
		id := s.newBlob(b)
		p.kt.refs[t] = id
		if unchanged {
			s.cur[t] = id
		}
	}
	clear(p.made[:len(p.tiles)])
	p.kt, p.img = nil, nil
	if p.failed.Load() {
		s.broken = true
		s.drop(p.slot) // its restore fails, and the ink forgets it
		return
	}
	if p.toDisk {
		s.end = p.fileEnd.Load()
	}
	s.account()
}
