package canvas

import (
	"os"
	"runtime"
)

// Keyframe storage defaults.
const (
	// DefaultKeyframeBudget is the memory keyframes may take when Options says
	// nothing: 24 MiB, three 1920×1080 snapshots. With a 100,000-stroke
	// drawing (3 million points, 36 MB) loaded, the player stays under
	// 100 MB.
	DefaultKeyframeBudget = 24 << 20
	// DefaultKeyframeDiskBudget is the room keyframes may take in a
	// temporary file once the memory budget is full: 512 MiB, 64 snapshots
	// at 1920×1080. Only long drawings use it.
	DefaultKeyframeDiskBudget = 512 << 20
)

// keyframeStore keeps snapshots of a frame buffer by slot: in memory up to
// a budget, then in a temporary file (deleted as soon as it is created
// where the system allows, else when the store closes), read back with one
// read into the frame buffer. Keyframes on disk cost no process memory; the
// operating system caches the file as it sees fit. A snapshot bound for the
// file is copied into a staging buffer (taken from the memory budget) and
// written by a goroutine, so the frame that takes it pays only the copy.
type keyframeStore struct {
	size    int64
	ramMax  int
	diskMax int
	dir     string
	mem     MemoryAccount

	ram     map[int][]byte
	spare   [][]byte      // reserved memory slots not in use
	disk    map[int]int64 // slot → offset
	freeOff []int64
	nextOff int64
	file    *os.File
	broken  bool // the file failed once: no more disk keyframes
	stage   bool // the memory budget has room for a staging buffer

	// The keyframe being filled (begin … commit).
	pend pendingKey
	// ramExtra counts memory buffers made for a pending keyframe.
	ramExtra int

	// The background write: staging holds the snapshot being written to
	// writing's offset; done is closed when it is written.
	staging []byte
	done    chan struct{}
	writing int64
	werr    error
}

func newKeyframeStore(size, ramBudget, diskBudget int64, dir string, mem MemoryAccount) *keyframeStore {
	s := &keyframeStore{size: size, dir: dir, mem: mem, ram: map[int][]byte{}, disk: map[int]int64{}}
	if size > 0 {
		if ramBudget > 0 {
			s.ramMax = int(ramBudget / size)
		}
		if diskBudget > 0 {
			s.diskMax = int(diskBudget / size)
		}
		if s.diskMax > 0 && s.ramMax > 0 {
			s.ramMax-- // one buffer's worth stages disk writes
			s.stage = true
		}
	}
	return s
}

// reserve allocates, up front, the memory that n keyframes will use (the
// memory slots and the staging buffer), and touches every page of it, so
// that the frames that take keyframes pay for a copy only, not for fresh
// memory.
func (s *keyframeStore) reserve(n int) {
	for i := len(s.ram) + len(s.spare); i < min(n, s.ramMax); i++ {
		if s.mem != nil && !s.mem.Fits(s.size) {
			break
		}
		s.spare = append(s.spare, touch(make([]byte, s.size)))
		s.account()
	}
	if n > s.ramMax && s.stage && s.diskMax > 0 && s.staging == nil {
		s.staging = touch(make([]byte, s.size))
	}
	s.account()
}

// account tells the memory account what the store holds in memory.
func (s *keyframeStore) account() {
	if s.mem == nil {
		return
	}
	n := int64(len(s.ram) + len(s.spare) + s.ramExtra)
	if s.staging != nil {
		n++
	}
	if n == 0 {
		s.mem.Release(keyframeMemName)
		return
	}
	s.mem.Track(keyframeMemName, n*s.size)
}

// keyframeMemName is the store's buffer name for a MemoryAccount.
const keyframeMemName = "canvas.keyframes"

// touch writes to every page of b, so the system maps them now.
func touch(b []byte) []byte {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 0
	}
	return b
}

// pendingKey is a keyframe being filled.
type pendingKey struct {
	active bool
	slot   int
	buf    []byte
	disk   bool
	off    int64
}

// capacity returns how many keyframes the store can hold.
func (s *keyframeStore) capacity() int { return s.ramMax + s.diskMax }

// begin reserves room for slot and returns the buffer to fill, in memory
// or the staging buffer of a disk keyframe; commit then keeps it, abort
// gives it back. nil means there is no buffer to fill (saveDirect may still
// write straight to the file).
func (s *keyframeStore) begin(slot int) []byte {
	s.abort()
	if _, ok := s.ram[slot]; ok {
		s.drop(slot)
	}
	if _, ok := s.disk[slot]; ok {
		s.drop(slot)
	}
	p := pendingKey{slot: slot, active: true}
	switch {
	case len(s.spare) > 0:
		p.buf = s.spare[len(s.spare)-1]
		s.spare = s.spare[:len(s.spare)-1]
	case len(s.ram) < s.ramMax && (s.mem == nil || s.mem.Fits(s.size)):
		p.buf = make([]byte, s.size)
		s.ramExtra++
		s.account()
	case len(s.disk) < s.diskMax && !s.broken && s.stage && s.openFile() && s.wait():
		if s.staging == nil {
			if s.mem != nil && !s.mem.Fits(s.size) {
				return nil
			}
			s.staging = make([]byte, s.size)
			s.account()
		}
		p.buf, p.disk, p.off = s.staging, true, s.newOffset()
	default:
		return nil
	}
	s.pend = p
	return p.buf
}

// commit keeps the keyframe begun last: in memory, or written to the file
// in the background.
func (s *keyframeStore) commit() {
	p := s.pend
	if !p.active {
		return
	}
	s.pend = pendingKey{}
	if !p.disk {
		s.ram[p.slot] = p.buf
		if s.ramExtra > 0 {
			s.ramExtra--
		}
		return
	}
	s.disk[p.slot] = p.off
	s.done, s.writing = make(chan struct{}), p.off
	go func(f *os.File, b []byte, off int64, done chan struct{}) {
		lowPriority()
		_, s.werr = f.WriteAt(b, off)
		close(done)
	}(s.file, p.buf, p.off, s.done)
}

// abort gives back the room of a keyframe begun and not committed.
func (s *keyframeStore) abort() {
	p := s.pend
	if !p.active {
		return
	}
	s.pend = pendingKey{}
	if p.disk {
		s.freeOff = append(s.freeOff, p.off)
		return
	}
	s.spare = append(s.spare, p.buf)
	if s.ramExtra > 0 {
		s.ramExtra--
	}
}

// saveDirect writes pix straight to the file, with no staging buffer (no
// memory budget): the caller waits for the write.
func (s *keyframeStore) saveDirect(slot int, pix []byte) bool {
	if len(s.disk) >= s.diskMax || s.broken || !s.openFile() || !s.wait() {
		return false
	}
	off := s.newOffset()
	if _, err := s.file.WriteAt(pix, off); err != nil {
		s.broken = true
		s.freeOff = append(s.freeOff, off)
		return false
	}
	s.disk[slot] = off
	return true
}

// openFile opens the keyframe file if it is not open yet.
func (s *keyframeStore) openFile() bool {
	if s.file != nil {
		return true
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

func (s *keyframeStore) newOffset() int64 {
	if n := len(s.freeOff); n > 0 {
		off := s.freeOff[n-1]
		s.freeOff = s.freeOff[:n-1]
		return off
	}
	off := s.nextOff
	s.nextOff += s.size
	return off
}

// wait waits for the background write; false if it failed (the keyframe it
// wrote is then gone, and the file is not used again).
func (s *keyframeStore) wait() bool {
	if s.done == nil {
		return true
	}
	<-s.done
	s.done = nil
	if s.werr != nil {
		s.broken = true
		for slot, off := range s.disk {
			if off == s.writing {
				s.drop(slot)
			}
		}
		return false
	}
	return true
}

// load copies slot into pix; false if it cannot.
func (s *keyframeStore) load(slot int, pix []byte) bool {
	if b, ok := s.ram[slot]; ok {
		copy(pix, b)
		return true
	}
	if off, ok := s.disk[slot]; ok && s.wait() {
		if _, ok := s.disk[slot]; !ok {
			return false
		}
		if _, err := s.file.ReadAt(pix, off); err == nil {
			return true
		}
		s.broken = true
	}
	return false
}

func (s *keyframeStore) drop(slot int) {
	if s.pend.active && s.pend.slot == slot {
		s.abort()
	}
	if b, ok := s.ram[slot]; ok {
		delete(s.ram, slot)
		s.spare = append(s.spare, b) // kept for the next keyframe
	}
	if off, ok := s.disk[slot]; ok {
		delete(s.disk, slot)
		s.freeOff = append(s.freeOff, off)
	}
}

// usage returns the keyframes held in memory and on disk, and their bytes.
func (s *keyframeStore) usage() (ram, disk int, ramBytes, diskBytes int64) {
	return len(s.ram), len(s.disk), int64(len(s.ram)) * s.size, int64(len(s.disk)) * s.size
}

func (s *keyframeStore) close() {
	s.abort()
	s.wait()
	s.staging, s.spare = nil, nil
	clear(s.ram)
	s.account()
	if s.file != nil {
		name := s.file.Name()
		s.file.Close()
		if runtime.GOOS == "windows" {
			os.Remove(name)
		}
		s.file = nil
	}
	s.disk, s.freeOff, s.nextOff = map[int]int64{}, nil, 0
}
