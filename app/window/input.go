package window

import (
	"io"
	"io/fs"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// Input is where the game reads what the user did. The window reads
// Ebiten's keyboard, mouse, touch and file drops (ebitenInput); tests feed a
// script through the same interface into the real game loop.
type Input interface {
	// Poll returns the events of one tick. It is called once per Update.
	Poll() Events
}

// Events is what the user did during one tick. Coordinates are screen
// pixels, the space Layout returns (device pixels on HiDPI screens).
type Events struct {
	// Keys went down this tick, or repeat while held (arrows and the speed
	// keys repeat like a text editor's).
	Keys []KeyPress
	// Pointers are mouse-button and touch presses, moves while pressed, and
	// releases, in order.
	Pointers []PointerEvent
	// HoverX, HoverY is where the mouse is; Hover is false when there is no
	// mouse (touch screens) or it is outside the window.
	HoverX, HoverY float64
	Hover          bool
	// Dropped holds files dropped on the window this tick.
	Dropped []DroppedFile
	// Close is true when the user asked to close the window.
	Close bool
	// Held is true while a key, a mouse button or a finger is down (keys
	// repeat, drags go on: the window keeps ticking).
	Held bool
}

// KeyPress is one key going down, with the modifiers held at the time.
type KeyPress struct {
	Key         ebiten.Key
	Shift, Ctrl bool
}

// Phase is the stage of a pointer gesture.
type Phase int

// Pointer phases.
const (
	PointerDown Phase = iota
	PointerMove
	PointerUp
)

// PointerEvent is a press, a move while pressed, or a release of the left
// mouse button (ID 0) or of a finger (ID 1 and up).
type PointerEvent struct {
	ID    int
	Phase Phase
	X, Y  float64
}

// DroppedFile is a file dropped on the window: its name and content, or why
// it could not be read.
type DroppedFile struct {
	Name string
	Data []byte
	Err  error
}

// maxDropBytes bounds a dropped file that is read into memory.
const maxDropBytes = 512 << 20

// Key repeat, in ticks: the first repeat after repeatDelay, then one every
// repeatEvery.
const (
	repeatDelay = 24
	repeatEvery = 4
)

// repeatingKeys fire again while held.
var repeatingKeys = map[ebiten.Key]bool{
	ebiten.KeyArrowLeft: true, ebiten.KeyArrowRight: true,
	ebiten.KeyArrowUp: true, ebiten.KeyArrowDown: true,
	ebiten.KeyPageUp: true, ebiten.KeyPageDown: true,
}

// ebitenInput reads the real devices.
type ebitenInput struct {
	keys    []ebiten.Key
	touches []ebiten.TouchID
	mouseX  int
	mouseY  int
	down    bool
}

func (in *ebitenInput) Poll() Events {
	var ev Events
	shift := ebiten.IsKeyPressed(ebiten.KeyShift)
	ctrl := ebiten.IsKeyPressed(ebiten.KeyControl) || ebiten.IsKeyPressed(ebiten.KeyMeta)
	in.keys = inpututil.AppendPressedKeys(in.keys[:0])
	for _, k := range in.keys {
		d := inpututil.KeyPressDuration(k)
		if d == 1 || (repeatingKeys[k] && d > repeatDelay && (d-repeatDelay)%repeatEvery == 0) {
			ev.Keys = append(ev.Keys, KeyPress{Key: k, Shift: shift, Ctrl: ctrl})
		}
	}

	x, y := ebiten.CursorPosition()
	ev.HoverX, ev.HoverY, ev.Hover = float64(x), float64(y), true
	switch {
	case inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft):
		ev.Pointers = append(ev.Pointers, PointerEvent{ID: 0, Phase: PointerDown, X: float64(x), Y: float64(y)})
		in.down = true
	case in.down && inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft):
		ev.Pointers = append(ev.Pointers, PointerEvent{ID: 0, Phase: PointerUp, X: float64(x), Y: float64(y)})
		in.down = false
	case in.down && (x != in.mouseX || y != in.mouseY):
		ev.Pointers = append(ev.Pointers, PointerEvent{ID: 0, Phase: PointerMove, X: float64(x), Y: float64(y)})
	}
	in.mouseX, in.mouseY = x, y

	in.touches = inpututil.AppendJustPressedTouchIDs(in.touches[:0])
	for _, id := range in.touches {
		tx, ty := ebiten.TouchPosition(id)
		ev.Pointers = append(ev.Pointers, PointerEvent{ID: int(id) + 1, Phase: PointerDown, X: float64(tx), Y: float64(ty)})
		ev.Hover = false
	}
	in.touches = ebiten.AppendTouchIDs(in.touches[:0])
	for _, id := range in.touches {
		if inpututil.TouchPressDuration(id) > 1 {
			tx, ty := ebiten.TouchPosition(id)
			ev.Pointers = append(ev.Pointers, PointerEvent{ID: int(id) + 1, Phase: PointerMove, X: float64(tx), Y: float64(ty)})
		}
		ev.Hover = false
	}
	fingers := len(in.touches)
	in.touches = inpututil.AppendJustReleasedTouchIDs(in.touches[:0])
	for _, id := range in.touches {
		tx, ty := inpututil.TouchPositionInPreviousTick(id)
		ev.Pointers = append(ev.Pointers, PointerEvent{ID: int(id) + 1, Phase: PointerUp, X: float64(tx), Y: float64(ty)})
	}

	ev.Held = len(in.keys) > 0 || in.down || fingers > 0
	ev.Close = ebiten.IsWindowBeingClosed()
	if fsys := ebiten.DroppedFiles(); fsys != nil {
		ev.Dropped = readDropped(fsys)
	}
	return ev
}

// readDropped reads the files at the root of a drop; folders are reported
// as errors.
func readDropped(fsys fs.FS) []DroppedFile {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return []DroppedFile{{Name: "dropped file", Err: err}}
	}
	var out []DroppedFile
	for _, e := range entries {
		df := DroppedFile{Name: e.Name()}
		if e.IsDir() {
			df.Err = errIsFolder
			out = append(out, df)
			continue
		}
		f, err := fsys.Open(e.Name())
		if err != nil {
			df.Err = err
			out = append(out, df)
			continue
		}
		df.Data, df.Err = io.ReadAll(io.LimitReader(f, maxDropBytes+1))
		f.Close()
		if df.Err == nil && len(df.Data) > maxDropBytes {
			df.Data, df.Err = nil, errTooBig
		}
		out = append(out, df)
	}
	return out
}
