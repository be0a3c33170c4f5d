package bridge

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mbotdraw/assets"
	"mbotdraw/assets/player"
	"mbotdraw/canvas"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// swiftShader makes headless Chromium draw WebGL on the CPU (SwiftShader),
// as on a machine without a GPU.
var swiftShader = []string{"--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"}

// playerHandler is the player as `serve` serves it: the one built into this
// test binary by `make wasm`, or else one built for this test binary (a
// minute or two the first time, then from Go's cache) and shared by its
// tests.
func playerHandler(t *testing.T) http.Handler {
	t.Helper()
	if player.Built() == nil {
		return player.Handler()
	}
	builtPlayer.Lock()
	defer builtPlayer.Unlock()
	if builtPlayer.h == nil {
		builtPlayer.h = buildPlayer(t)
	}
	return builtPlayer.h
}

// builtPlayer is the player buildPlayer built, kept for the next test.
var builtPlayer struct {
	sync.Mutex
	h http.Handler
}

// buildPlayer builds the player (GOOS=js GOARCH=wasm) and serves it from
// memory.
func buildPlayer(t *testing.T) http.Handler {
	t.Helper()
	dir := t.TempDir()
	wasm := filepath.Join(dir, "mbotdraw.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasm, "mbotdraw")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the player (GOOS=js GOARCH=wasm go build): %v\n%s", err, out)
	}
	b, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile("../assets/player/web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"mbotdraw.wasm.gz": gz.Bytes(), "wasm_exec.js": js, "index.html": index} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(wasm)
	h, err := player.HandlerFS(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// pageGame is what the player publishes as mbotdraw.game.
type pageGame struct {
	Tick    int     `json:"tick"`
	TMs     float64 `json:"t_ms"`
	Ended   bool    `json:"ended"`
	Playing bool    `json:"playing"`
	Speed   float64 `json:"speed"`
	Stroke  int     `json:"stroke"`
	Strokes int     `json:"strokes"`
	File    string  `json:"file"`
	Paper   struct{ X, Y, W, H int }
	Fit     struct{ Scale, OffX, OffY float64 }
	Knobs   struct {
		AntiAlias bool    `json:"antialias"`
		Tolerance float64 `json:"tolerance_px"`
	}
	DurationMs float64 `json:"duration_ms"`
}

// waitFor polls a boolean expression in the page every 20 ms for up to d.
func (c *cdp) waitFor(expr string, d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var ok bool
		c.eval("!!("+expr+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("page: %s never became true within %v", expr, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *cdp) game() pageGame {
	c.t.Helper()
	var g pageGame
	c.eval(`window.mbotdraw.game`, &g)
	return g
}

func (c *cdp) key(key, code string, keyCode int) {
	c.t.Helper()
	for _, typ := range []string{"rawKeyDown", "keyUp"} {
		c.call("Input.dispatchKeyEvent", map[string]any{"type": typ, "key": key, "code": code, "windowsVirtualKeyCode": keyCode})
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForPlayer waits for the player to start (compiling 30 MB of
// WebAssembly on a loaded machine takes a while), and fails the test with
// the page's error if it did not.
func (c *cdp) waitForPlayer() {
	c.t.Helper()
	c.waitFor(`window.mbotdraw && (window.mbotdraw.state == "failed" || window.mbotdraw.game)`, 3*time.Minute)
	var failed string
	c.eval(`window.mbotdraw.error`, &failed)
	if failed != "" {
		c.t.Fatalf("the player did not start: %s", failed)
	}
}

// pressKey is a key for chord: its DOM key and code, its Windows virtual
// key code, and for a modifier its bit in CDP's modifiers.
type pressKey struct {
	key, code string
	vk, bit   int
}

var (
	ctrlKey  = pressKey{"Control", "ControlLeft", 17, 2}
	shiftKey = pressKey{"Shift", "ShiftLeft", 16, 8}
)

// chord holds the modifier mod while it presses and releases k, as a
// person types Ctrl+O.
func (c *cdp) chord(mod, k pressKey) {
	c.t.Helper()
	for _, e := range []struct {
		typ string
		k   pressKey
	}{{"rawKeyDown", mod}, {"rawKeyDown", k}, {"keyUp", k}, {"keyUp", mod}} {
		c.call("Input.dispatchKeyEvent", map[string]any{"type": e.typ, "key": e.k.key, "code": e.k.code, "windowsVirtualKeyCode": e.k.vk, "modifiers": mod.bit})
		time.Sleep(100 * time.Millisecond)
	}
}

// The player loads from the page `serve` serves, in headless Chromium with
// WebGL on SwiftShader: the demo plays, keys change the speed as on the
// desktop, it plays to the end, and the paper then shows what the software
// renderer draws, within the GPU tolerance the window's tests use.
func TestPlayerInChromium(t *testing.T) {
	needChromium(t, "the browser player test")
	if testing.Short() {
		t.Skip("skipping the browser player test in -short mode")
	}
	srv := httptest.NewServer(Guard("", playerHandler(t)))
	defer srv.Close()
	c := startChromium(t, srv.URL+"/", swiftShader...)
	c.waitForPlayer()
	var firstMs float64
	c.eval(`window.mbotdraw.first_tick_ms`, &firstMs)
	t.Logf("first frame %.0f ms after the page began loading", firstMs)
	g := c.game()
	if g.File != "" || g.Strokes == 0 || g.Speed != 1 {
		t.Fatalf("at start: file %q, %d strokes, speed %v; want the demo at 1x", g.File, g.Strokes, g.Speed)
	}
	checkTaps(t, c)
	// Up arrow: faster, as on the desktop (1x to 16x in four presses).
	for i := 0; i < 4; i++ {
		before := c.game().Speed
		c.key("ArrowUp", "ArrowUp", 38)
		c.waitFor(fmt.Sprintf(`window.mbotdraw.game.speed > %v`, before), time.Minute)
	}
	var t0, t1 float64
	start := c.game()
	c.eval(`performance.now()`, &t0)
	c.waitFor(`window.mbotdraw.game.ended`, 5*time.Minute)
	c.eval(`performance.now()`, &t1)
	end := c.game()
	if frames := end.Tick - start.Tick; frames > 0 {
		t.Logf("demo at %vx: %d frames in %.1f s, %.1f ms a frame on average", end.Speed, frames, (t1-t0)/1000, (t1-t0)/float64(frames))
	}
	if end.Playing || end.Stroke != end.Strokes {
		t.Errorf("at the end: playing %v, stroke %d of %d", end.Playing, end.Stroke, end.Strokes)
	}
	time.Sleep(500 * time.Millisecond) // a frame or two more, with the pen cursor gone
	res := c.call("Page.captureScreenshot", map[string]any{"format": "png"})
	var shot struct{ Data string }
	if err := json.Unmarshal(res, &shot); err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	p := end.Paper
	got := image.NewRGBA(image.Rect(0, 0, p.W, p.H))
	draw.Draw(got, got.Rect, img, image.Pt(p.X, p.Y), draw.Src)
	ds, err := format.Decode(assets.DemoName, assets.Demo(), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	want := canvas.RenderAt(d, playback.Mark{N: d.NumPoints()}, canvas.Options{Width: p.W, Height: p.H,
		Fit: &canvas.Fit{Scale: end.Fit.Scale, OffX: end.Fit.OffX, OffY: end.Fit.OffY}, NoPen: true,
		Quality: canvas.Quality{NoAntiAlias: !end.Knobs.AntiAlias, SimplifyTolerance: end.Knobs.Tolerance}})
	t.Logf("optimizer knobs at the end: antialias %v, tolerance %v px", end.Knobs.AntiAlias, end.Knobs.Tolerance)
	// Without anti-aliasing (the optimizer turns it off when frames are
	// slow, as they are on SwiftShader) each rasterizer picks its own edge
	// pixels: more of them differ, by a whole colour, all along the strokes.
	farShare := 0.005
	if !end.Knobs.AntiAlias {
		farShare = 0.02
	}
	comparePage(t, got, want, farShare)
	// The comparison notices one missing stroke (the sun's last ray).
	short := canvas.RenderAt(d, playback.Mark{N: d.Strokes[len(d.Strokes)-1].Start}, canvas.Options{Width: p.W, Height: p.H,
		Fit: &canvas.Fit{Scale: end.Fit.Scale, OffX: end.Fit.OffX, OffY: end.Fit.OffY}, NoPen: true,
		Quality: canvas.Quality{NoAntiAlias: !end.Knobs.AntiAlias, SimplifyTolerance: end.Knobs.Tolerance}})
	if _, _, _, worst := pageDiff(got, short); worst <= maxPageBlockDiff {
		t.Errorf("a drawing missing its last stroke passes the comparison (worst block %.1f)", worst)
	}

	// Ctrl+O opens the page's file chooser (intercepted here: no dialog).
	c.call("Page.setInterceptFileChooserDialog", map[string]any{"enabled": true})
	c.eval(`document.getElementById("open").addEventListener("click", () => { window.chooserAsked = true; }), true`, nil)
	c.chord(ctrlKey, pressKey{key: "o", code: "KeyO", vk: 79})
	c.waitFor(`window.chooserAsked`, time.Minute)

	// A drawing picked with the page's file input opens, as a dropped one.
	const picked = "../testdata/real/svg/kanjivg/06f22.svg"
	kanji, err := format.Load(picked, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(picked)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Root struct{ NodeID int } }
	json.Unmarshal(c.call("DOM.getDocument", map[string]any{}), &doc)
	var input struct{ NodeID int }
	json.Unmarshal(c.call("DOM.querySelector", map[string]any{"nodeId": doc.Root.NodeID, "selector": "#open"}), &input)
	c.call("DOM.setFileInputFiles", map[string]any{"nodeId": input.NodeID, "files": []string{abs}})
	c.waitFor(`window.mbotdraw.game.file == "06f22.svg"`, time.Minute)
	if g := c.game(); g.Strokes != len(kanji.Strokes) || !g.Playing {
		t.Errorf("after picking 06f22.svg: %d strokes, playing %v; want %d strokes, playing", g.Strokes, g.Playing, len(kanji.Strokes))
	}
}

// maxPageBlockDiff bounds the mean channel difference of any 16x16 block:
// a stroke missing or misplaced makes a block differ by more (the sun's last
// ray: about 22, a whole drawing that matches: about 10).
const maxPageBlockDiff = 16.0

// comparePage fails when the browser's paper and the software renderer's
// image differ beyond the window tests' GPU tolerance: mean channel
// difference at most 3, at most farShare of the pixels off by more than 64,
// no 16x16 block off by more than maxPageBlockDiff on average.
func comparePage(t *testing.T, got, want *image.RGBA, farShare float64) {
	t.Helper()
	mean, far, ink, worst := pageDiff(got, want)
	n := got.Rect.Dx() * got.Rect.Dy()
	t.Logf("paper %v: mean difference %.2f, %d of %d pixels off by more than 64, worst block %.1f", got.Rect.Size(), mean, far, n, worst)
	if ink < n/500 || mean > 3 || float64(far) > farShare*float64(n) || worst > maxPageBlockDiff {
		dir := t.TempDir()
		if d := os.Getenv("MBOTDRAW_TEST_OUT"); d != "" {
			dir = d
		}
		for name, img := range map[string]*image.RGBA{"player-bad.png": got, "player-want.png": want} {
			var b bytes.Buffer
			png.Encode(&b, img)
			os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
		}
		t.Errorf("the browser's drawing differs from the software renderer's (ink pixels %d, at most %.1f%% far): images in %s", ink, 100*farShare, dir)
	}
}

// pageDiff returns the mean channel difference, the pixels off by more than
// 64, the pixels with ink in want, and the worst 16x16 block's mean
// difference.
func pageDiff(got, want *image.RGBA) (mean float64, far, ink int, worst float64) {
	n, sum := 0, 0
	for by := 0; by < got.Rect.Dy(); by += 16 {
		for bx := 0; bx < got.Rect.Dx(); bx += 16 {
			bs, bn := 0, 0
			for y := by; y < min(by+16, got.Rect.Dy()); y++ {
				for x := bx; x < min(bx+16, got.Rect.Dx()); x++ {
					i := got.PixOffset(x, y)
					px := 0
					for ch := 0; ch < 3; ch++ {
						d := int(got.Pix[i+ch]) - int(want.Pix[i+ch])
						d = max(d, -d)
						bs += d
						px = max(px, d)
					}
					bn += 3
					n++
					if px > 64 {
						far++
					}
					if want.Pix[i] < 200 || want.Pix[i+1] < 200 || want.Pix[i+2] < 200 {
						ink++
					}
				}
			}
			sum += bs
			worst = max(worst, float64(bs)/float64(bn))
		}
	}
	return float64(sum) / float64(3*n), far, ink, worst
}
