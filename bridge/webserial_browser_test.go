package bridge

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/playback/format"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// serialStandIn is a stand-in for the browser's navigator.serial, put into
// the page before the player loads: one USB serial port (a CH340's ids)
// whose readable and writable streams carry the bytes over a WebSocket to
// url, where the test's virtual mBot answers. As in Chrome, requestPort
// shows its "list" only while the page has transient user activation (a
// key or a tap moments ago), and grants the port; getPorts then returns it.
// When the WebSocket closes (the test unplugs the robot) the port is gone:
// the stream errors, the port fires 'disconnect', getPorts returns nothing
// until serialStandIn.replug().
// window.serialStandIn counts what the page asked.
const serialStandIn = `(() => {
  const url = %q;
  const log = window.serialStandIn = { requests: 0, refused: 0, opens: [], unplugged: 0, console: [] };
  for (const k of ["log", "error", "warn"]) {
    const f = console[k];
    console[k] = function (...a) { if (log.console.length < 200) { log.console.push(a.join(" ")); } return f.apply(console, a); };
  }
  let granted = [];
  class Port extends EventTarget {
    constructor() { super(); this.ws = null; this.readable = null; this.writable = null; }
    getInfo() { return { usbVendorId: 0x1a86, usbProductId: 0x7523 }; }
    async open(o) {
      if (this.ws) { throw new DOMException("The port is already open.", "InvalidStateError"); }
      log.opens.push(o.baudRate);
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      await new Promise((ok, fail) => {
        ws.onopen = ok;
        ws.onerror = () => fail(new DOMException("Failed to open serial port.", "NetworkError"));
      });
      this.ws = ws;
      const port = this;
      this.readable = new ReadableStream({
        start(c) {
          ws.onmessage = (e) => c.enqueue(new Uint8Array(e.data));
          ws.onclose = () => {
            if (port.ws !== ws) { return; } // closed by the page
            log.unplugged++;
            granted = [];
            port.ws = null;
            try { c.error(new DOMException("The device has been lost.", "NetworkError")); } catch (e) {}
            port.dispatchEvent(new Event("disconnect"));
          };
        },
      });
      this.writable = new WritableStream({
        write(chunk) {
          if (ws.readyState !== WebSocket.OPEN) { throw new DOMException("The device has been lost.", "NetworkError"); }
          ws.send(chunk);
        },
      });
    }
    async close() {
      if (this.readable && this.readable.locked) { throw new TypeError("Cannot close a locked stream"); }
      const ws = this.ws;
      this.ws = null;
      if (ws) { ws.close(); }
      this.readable = this.writable = null;
    }
  }
  const port = new Port();
  const serial = new EventTarget();
  serial.getPorts = async () => granted.slice();
  serial.requestPort = async () => {
    log.requests++;
    if (!navigator.userActivation.isActive) {
      log.refused++;
      throw new DOMException("Must be handling a user gesture to show a permission request.", "SecurityError");
    }
    granted = [port];
    return port;
  };
  log.replug = () => { granted = [port]; };
  Object.defineProperty(Navigator.prototype, "serial", { get() { return serial; }, configurable: true });
})();`

// wsStream is a WebSocket as a byte stream: what the stand-in's port
// writes, the virtual mBot reads, and the other way round.
type wsStream struct {
	c    *websocket.Conn
	rest []byte
	wmu  sync.Mutex
}

func (s *wsStream) Read(p []byte) (int, error) {
	for len(s.rest) == 0 {
		_, b, err := s.c.ReadMessage()
		if err != nil {
			return 0, err
		}
		s.rest = b
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

func (s *wsStream) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.c.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *wsStream) Close() error { return s.c.Close() }

// serialRobot is the far end of the stand-in's port: each WebSocket is the
// port opened once, served by the virtual mBot as a freshly opened USB port
// (the board restarts).
type serialRobot struct {
	v *link.Virtual

	mu    sync.Mutex
	conn  *websocket.Conn
	opens int
}

func (sr *serialRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sr.mu.Lock()
	sr.conn = c
	sr.opens++
	sr.mu.Unlock()
	sr.v.ServeOpened(&wsStream{c: c})
	c.Close()
}

// unplug pulls the cable: the open port's WebSocket closes.
func (sr *serialRobot) unplug() {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.conn != nil {
		sr.conn.Close()
	}
}

// linkRobot is what the player publishes of the robot (mbotdraw.game.robot),
// with what went over its link.
type linkRobot struct {
	Spec, Name, Title, Detail, State string
	MotionsDone                      int     `json:"motions_done"`
	Reconnects                       int     `json:"reconnects"`
	Sent                             int     `json:"sent"`
	SentSum                          string  `json:"sent_sum"`
	FirstAckMs                       float64 `json:"first_ack_ms"`
	HeldFrames                       int     `json:"held_frames"`
	HeldMs                           float64 `json:"held_ms"`
	Message                          struct{ Title, Body string }
	Losses                           []string
}

func (c *cdp) robot() linkRobot {
	c.t.Helper()
	var r linkRobot
	c.eval(`window.mbotdraw.game.robot`, &r)
	return r
}

// The player draws on an mBot on a USB cable through Web Serial: a
// stand-in for navigator.serial carries the port's bytes to a virtual mBot
// that boots as the mBlock firmware does (1 s bootloader, banner at 2.34
// s), in real time (K = 1, as a real mBot runs: the page's timing is what
// is tested). C offers the robot and shows the browser's
// list in answer to the key (which the stand-in, like Chrome, refuses
// without one); the panel names the firmware the handshake found; R
// draws a real drawing (a KanjiVG character) to the end, and the robot
// received exactly the frames the player sent, with the handshake's
// version requests before them, nearly the dry run's (see
// checkSerialFrames), and drew the plan's ink, not a tenth more. Then R
// again, and the cable is pulled
// mid-drawing: the panel says the link is lost, in the words the desktop
// uses, rather than hanging. Last, a page with ?open-loop=1 (the diagnosis
// setting) draws it again at K = 4, and the robot received exactly the dry
// run's frames after the handshake.
func TestWebSerialInChromium(t *testing.T) {
	needChromium(t, "the Web Serial test")
	if testing.Short() {
		t.Skip("skipping the Web Serial test in -short mode")
	}
	const file = "../testdata/real/svg/kanjivg/05b57.svg"
	d, err := format.Load(file, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prog := playerProgram(t, d)
	const k = 1
	c, sr := openSerialPlayer(t, prog, k, "")
	r := drawOverSerial(t, c, file, prog, k, len(d.Strokes))
	checkSerialFrames(t, sr, r, prog)
	logInk(t, prog.Plan, sr.v.Trace())
	if ink, want := sr.v.Trace().Length(true), prog.Plan.Stats.PenDown; r.Reconnects == 0 && ink > 1.1*want {
		t.Errorf("the robot drew %.0f mm of ink; the plan draws %.0f mm: it ran on past late stops, and backed up over the overshoot", ink, want)
	}
	pullTheCable(t, c, sr)
	c.call("Page.navigate", map[string]any{"url": "about:blank"}) // its player stops drawing

	// ?open-loop=1 (the diagnosis setting): the driver sends the moves as
	// compiled, so the robot receives exactly the dry run's frames, however
	// late the page's timers fire (K = 4: the timing is not what is tested).
	t.Run("open loop", func(t *testing.T) {
		const k = 4
		c, sr := openSerialPlayer(t, prog, k, "&open-loop=1")
		r := drawOverSerial(t, c, file, prog, k, len(d.Strokes))
		checkOpenLoopFrames(t, sr, r, prog)
	})
}

// openSerialPlayer serves the player and a virtual mBot behind the
// stand-in's port, its time running k times faster, and opens the page with
// ?time-scale=k and query (more parameters, each starting with &).
func openSerialPlayer(t *testing.T, prog *robot.Program, k int, query string) (*cdp, *serialRobot) {
	t.Helper()
	sr := &serialRobot{v: link.NewVirtual(link.VirtualOptions{Boot: link.BootMBlock, TimeScale: float64(k),
		Model: robot.DefaultCalibration().VirtualModel(), Start: prog.Home})}
	t.Cleanup(func() { sr.v.Close() })
	mux := http.NewServeMux()
	mux.Handle("/", Guard("", playerHandler(t)))
	mux.Handle("/serial", sr)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return openSerialPage(t, srv.URL, k, query), sr
}

// drawOverSerial opens file with the page's file input, picks the mBot on
// the USB cable with C, checks the handshake's answer, and draws with R to
// the end; it returns what the player then says of the robot.
func drawOverSerial(t *testing.T, c *cdp, file string, prog *robot.Program, k, strokes int) linkRobot {
	t.Helper()
	// A real drawing, opened with the page's file input.
	abs, _ := filepath.Abs(file)
	var doc struct{ Root struct{ NodeID int } }
	c.callInto("DOM.getDocument", map[string]any{}, &doc)
	var input struct{ NodeID int }
	c.callInto("DOM.querySelector", map[string]any{"nodeId": doc.Root.NodeID, "selector": "#open"}, &input)
	c.call("DOM.setFileInputFiles", map[string]any{"nodeId": input.NodeID, "files": []string{abs}})
	c.waitFor(`window.mbotdraw.game.file == "`+filepath.Base(file)+`"`, time.Minute)

	// C: the virtual mBot, then the mBot on the USB cable.
	for i := 0; i < 3 && c.robot().Spec != link.WebSerialSpec; i++ {
		c.press("c", "KeyC", 67)
	}
	if r := c.robot(); r.Spec != link.WebSerialSpec || !strings.Contains(r.Name, "Web Serial") {
		t.Fatalf("C offers %q (%q); want the mBot on a USB cable (Web Serial)", r.Spec, r.Name)
	}
	c.waitFor(`/firmware|No mBot/.test(window.mbotdraw.game.robot.detail + window.mbotdraw.game.robot.title)`, time.Minute)
	if r := c.robot(); !strings.Contains(r.Detail, "mBot firmware 06.01.107") {
		t.Fatalf("before R the panel says %q | %q; want the firmware that answered", r.Title, r.Detail)
	}
	var log struct {
		Requests, Refused int
		Opens             []int
	}
	c.eval(`window.serialStandIn`, &log)
	if log.Requests != 2 || log.Refused != 1 || len(log.Opens) != 1 || log.Opens[0] != link.DefaultBaud {
		t.Fatalf("the page asked the stand-in %+v; want the list shown once on C (besides the refused call), one open at 115200", log)
	}

	// R draws it.
	t.Logf("%s: %d strokes, %d frames planned, %v of robot time (%v at K=%d)", filepath.Base(file), strokes,
		len(prog.Frames), prog.Duration.Round(time.Millisecond), (prog.Duration / time.Duration(k)).Round(time.Millisecond), k)
	c.press("r", "KeyR", 82)
	r := c.robotUntil(func(r linkRobot) bool { return r.State == "done" || r.State == "stopped" }, 3*time.Minute)
	if r.State != "done" {
		t.Fatalf("the robot %s: %q | %q; link lost: %q", r.State, r.Title, r.Detail, r.Losses)
	}
	t.Logf("from R to the first acked frame: %.0f ms; %d reconnects %q; panel: %q", r.FirstAckMs, r.Reconnects, r.Losses, r.Title)
	if !strings.Contains(r.Title, "firmware 06.01.107") {
		t.Errorf("the panel says %q; want the firmware", r.Title)
	}
	return r
}

// openSerialPage opens the player served at url in headless Chromium with
// the stand-in for navigator.serial, its WebSocket at url's /serial, the
// robot's time running k times faster, query added to the page's address.
func openSerialPage(t *testing.T, url string, k int, query string) *cdp {
	t.Helper()
	// A small window: less for SwiftShader to draw on a loaded machine.
	c := startChromium(t, "about:blank", append([]string{"--window-size=640,400"}, swiftShader...)...)
	c.call("Page.enable", map[string]any{})
	c.call("Page.addScriptToEvaluateOnNewDocument", map[string]any{
		"source": fmt.Sprintf(serialStandIn, "ws"+strings.TrimPrefix(url, "http")+"/serial")})
	c.call("Page.navigate", map[string]any{"url": url + "/?time-scale=" + strconv.Itoa(k) + query})
	c.waitForPlayer()
	// The stand-in refuses the list without a user gesture, as Chrome does.
	var refused string
	c.eval(`navigator.serial.requestPort().then(() => "granted", (e) => e.name)`, &refused)
	if refused != "SecurityError" {
		t.Fatalf("the stand-in's requestPort without a gesture: %q, want SecurityError", refused)
	}

	return c
}

// receivedFrames returns the frames the virtual mBot behind the stand-in
// received after the handshake's version requests, having checked that they
// are, byte for byte, what the player says it sent (r).
func receivedFrames(t *testing.T, sr *serialRobot, r linkRobot) [][]byte {
	t.Helper()
	var got [][]byte
	handshake := 0
	for _, f := range sr.v.Frames() {
		if link.HandshakeFrame(f.Frame) {
			handshake++
			continue
		}
		got = append(got, f.Frame)
	}
	h := fnv.New64a()
	for _, f := range got {
		h.Write(f)
	}
	if len(got) != r.Sent || fmt.Sprintf("%x", h.Sum64()) != r.SentSum || handshake == 0 || !link.HandshakeFrame(sr.v.Frames()[0].Frame) {
		t.Fatalf("the robot received %d frames (checksum %x) and %d version requests; the player sent %d (checksum %s), after the version requests",
			len(got), h.Sum64(), handshake, r.Sent, r.SentSum)
	}
	return got
}

// checkOpenLoopFrames checks that the virtual mBot received, after the
// handshake, exactly the dry run's frames (prog's), as the driver sends
// them with robot.DriverOptions.OpenLoop over an unbroken link.
func checkOpenLoopFrames(t *testing.T, sr *serialRobot, r linkRobot, prog *robot.Program) {
	t.Helper()
	if r.Reconnects != 0 {
		t.Fatalf("the link was lost %d times (%q): the recovery adds its own frames, and the open-loop run is not comparable", r.Reconnects, r.Losses)
	}
	got := receivedFrames(t, sr, r)
	same := 0
	for same < min(len(got), len(prog.Frames)) && string(got[same]) == string(prog.Frames[same].Bytes) {
		same++
	}
	t.Logf("open loop: the robot received %d frames; the dry run has %d, the first %d of them the same", len(got), len(prog.Frames), same)
	switch {
	case same < min(len(got), len(prog.Frames)):
		t.Errorf("open loop: frame %d the robot received is % x; the dry run's is % x", same, got[same], prog.Frames[same].Bytes)
	case len(got) != len(prog.Frames):
		t.Errorf("open loop: the robot received %d frames; the dry run has %d", len(got), len(prog.Frames))
	}
}

// checkSerialFrames checks what the virtual mBot behind the stand-in
// received against what the player says it sent (r) and the dry run
// (prog's frames).
func checkSerialFrames(t *testing.T, sr *serialRobot, r linkRobot, prog *robot.Program) {
	t.Helper()
	got := receivedFrames(t, sr, r)
	// Against the dry run. The driver times each move from when its frames
	// really went out and corrects what came late (robot.Driver), so a
	// frame sent late changes the frames that follow: in the browser the
	// page's frames wait while the wheels turn (the window's robotHold),
	// so that the driver's timers fire on time. Byte for byte equality is
	// out of reach here: the stand-in's port goes through this test's
	// process, whose acks on a loaded machine come later than a move's
	// 60 ms ramp, and 2 ms late on a turn is a 0.1 mm correction. What a
	// child would see is bounded: at most a quarter more frames than
	// planned (399 to 420 of 401 here; without the wait 575 to 605 at
	// K = 1, twice as many at K = 4), the ink of the plan (checked by the
	// caller), and the pen goes up and down exactly as planned,
	// unless the link was lost (a machine so loaded that an ack took over
	// 500 ms: the recovery then adds its own frames).
	servo := func(frames [][]byte) (out []string) {
		for _, f := range frames {
			if len(f) == 9 && f[4] == mblock.ActionRun && f[5] == mblock.DevServo {
				out = append(out, fmt.Sprintf("% x", f))
			}
		}
		return out
	}
	var planned [][]byte
	for _, f := range prog.Frames {
		planned = append(planned, f.Bytes)
	}
	same := 0
	for same < min(len(got), len(planned)) && string(got[same]) == string(planned[same]) {
		same++
	}
	t.Logf("the robot received %d frames; the dry run has %d, the first %d of them the same; %d frames of the page waited %.0f ms in all for the robot's wheels",
		len(got), len(planned), same, r.HeldFrames, r.HeldMs)
	if same < 2 {
		t.Errorf("the robot's first frames % x differ from the dry run's % x", got[:min(2, len(got))], planned[:2])
	}
	if r.Reconnects == 0 && len(got) > len(planned)*5/4 {
		t.Errorf("the robot received %d frames, the dry run has %d: the page sent them late, and the driver corrected", len(got), len(planned))
	}
	if gs, ps := servo(got), servo(planned); r.Reconnects == 0 && strings.Join(gs, ",") != strings.Join(ps, ",") {
		t.Errorf("the pen moved %d times (%q); the dry run moves it %d times (%q)", len(gs), gs, len(ps), ps)
	}
}

// pullTheCable starts the drawing again (R) and pulls the cable
// mid-drawing, then plugs it back in.
func pullTheCable(t *testing.T, c *cdp, sr *serialRobot) {
	t.Helper()
	// R again, and the cable is pulled mid-drawing.
	c.press("r", "KeyR", 82)
	c.waitFor(`window.mbotdraw.game.robot.state == "drawing" && window.mbotdraw.game.robot.motions_done > 3`, time.Minute)
	sr.unplug()
	c.waitFor(`window.mbotdraw.game.robot.state == "lost link"`, 30*time.Second)
	r := c.robot()
	if r.Message.Title != "Lost the link to the robot" || !strings.Contains(r.Message.Body, "check the cable") {
		t.Errorf("after the cable was pulled the page says %q: %q", r.Message.Title, r.Message.Body)
	}
	t.Logf("unplugged: panel %q | %q; message %q: %q", r.Title, r.Detail, r.Message.Title, r.Message.Body)
	// Plugged back in: the page opens the port again by itself (no list),
	// the board restarts, and the robot goes on.
	c.eval(`window.serialStandIn.replug(), true`, nil)
	r = c.robotUntil(func(r linkRobot) bool { return r.Reconnects > 0 || r.State == "stopped" }, time.Minute)
	if r.State == "stopped" || r.Message.Title != "The robot is back" && r.State != "done" {
		t.Errorf("plugged back in, the robot is %q after %d reconnects; the page says %q", r.State, r.Reconnects, r.Message.Title)
	}
	var log struct{ Requests int }
	c.eval(`window.serialStandIn`, &log)
	if log.Requests != 2 {
		t.Errorf("the page showed the browser's list again (%d requests)", log.Requests)
	}
}

// robotUntil polls the page's robot every 50 ms until ok holds, for up to
// d; it fails saying what the robot panel said last.
func (c *cdp) robotUntil(ok func(linkRobot) bool, d time.Duration) linkRobot {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		r := c.robot()
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after %v the robot is %q: %q | %q; message %q: %q; link lost: %q", d, r.State, r.Title, r.Detail, r.Message.Title, r.Message.Body, r.Losses)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// press presses a key and holds it until the game has seen it (seen), then
// lets it go.
func (c *cdp) press(key, code string, keyCode int) {
	c.t.Helper()
	tick := c.game().Tick
	c.call("Input.dispatchKeyEvent", map[string]any{"type": "rawKeyDown", "key": key, "code": code, "windowsVirtualKeyCode": keyCode})
	c.seen(tick, "the key "+key)
	c.call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": keyCode})
}

// seen waits, after an input given at tick, until the player has seen it:
// two more ticks, or one (a resting player wakes for the input alone) and
// 300 ms, so that a slow frame (SwiftShader on a loaded machine) does not
// miss it. It fails the test after a minute, naming what (and the serial
// stand-in's console, where the page has one).
func (c *cdp) seen(tick int, what string) {
	c.t.Helper()
	start := time.Now()
	for {
		n := c.game().Tick
		if n > tick+1 || n > tick && time.Since(start) > 300*time.Millisecond {
			return
		}
		if time.Since(start) > time.Minute {
			var out []string
			c.eval(`window.serialStandIn ? window.serialStandIn.console : []`, &out)
			c.t.Fatalf("the player did not see %s within a minute (tick %d); console: %q", what, n, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// callInto calls method and decodes its result into out.
func (c *cdp) callInto(method string, params, out any) {
	c.t.Helper()
	if err := json.Unmarshal(c.call(method, params), out); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// logInk says how far the robot's ink strays from the plan
// (robot.Plan.Deviation). It asserts nothing: how late the page sends
// depends on the machine's load.
func logInk(t *testing.T, plan *robot.Plan, tr link.Trace) {
	t.Helper()
	mean, far := plan.Deviation(tr)
	if math.IsInf(mean, 1) {
		t.Error("the robot drew nothing")
		return
	}
	t.Logf("ink %.0f mm (plan %.0f mm), on average %.2f mm from the plan; a planned point at most %.2f mm from ink",
		tr.Length(true), plan.Stats.PenDown, mean, far)
}
