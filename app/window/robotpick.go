package window

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"strings"
	"sync"

	"mbotdraw/bridge"
	"mbotdraw/robot/link"
	"mbotdraw/robotconn"
)

// robotPick is the robot R sends drawings to, chosen before any is sent.
// A robot on a port is opened and asked for its firmware at once, in the
// background, so that the window says which robot answers (its port and
// firmware) before R is pressed; the link stays open for R (opening a USB
// port restarts an mBot, and once is enough). C steps through the virtual
// mBot and the ports found (link.Ports, the likely mBots first).
type robotPick struct {
	spec  string // "sim", "serial:PORT", a ws:// URL
	shown bool   // the chip shows it: a robot named by --robot or chosen with C

	mu      sync.Mutex
	conn    *robotconn.Conn // probed and open, waiting for R; nil otherwise
	board   link.Board
	err     error
	probing bool
	stop    context.CancelFunc
	closed  bool // let go: a robot given back is closed
}

// robotSpec returns the robot drawings go to: the one picked, --robot, or
// the virtual mBot.
func (g *Game) robotSpec() string {
	if g.pick != nil {
		return g.pick.spec
	}
	if g.cfg.Robot != "" {
		return g.cfg.Robot
	}
	return "sim"
}

// startPick probes the robot --robot names, when it is on a port, at the
// first tick (once the robot's time scale is set). In the browser, the
// page's ?robot= or the bridge that served the page stand for --robot
// (pageRobot).
func (g *Game) startPick() {
	if g.pickStarted {
		return
	}
	g.pickStarted = true
	if g.cfg.Robot == "" {
		g.cfg.Robot = pageRobot()
	}
	if g.cfg.Robot != "" && g.cfg.Robot != "sim" {
		g.pickRobot(g.cfg.Robot)
	}
}

// pickRobot makes spec the robot R sends drawings to and, for a robot on a
// port, opens it in the background to learn its firmware. The robot picked
// before is let go.
func (g *Game) pickRobot(spec string) {
	if g.pick != nil {
		g.pick.close()
	}
	p := &robotPick{spec: spec, shown: true}
	g.pick = p
	if !onPort(spec) {
		return
	}
	if spec == link.WebSerialSpec {
		link.AskWebSerialPort() // the user picked it: the browser may show its list
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.probing, p.stop = true, cancel
	k := g.robotScale
	go func() {
		conn, err := robotconn.Open(spec, robotconn.Options{TimeScale: k, Keep: true})
		var b link.Board
		if err == nil {
			if b, err = conn.Probe(ctx); err != nil {
				conn.Close()
				conn = nil
			}
		}
		p.mu.Lock()
		if ctx.Err() != nil && conn != nil { // let go meanwhile
			conn.Close()
			conn = nil
		}
		p.conn, p.board, p.err, p.probing = conn, b, err, false
		p.mu.Unlock()
		if g.cfg.Verbose {
			fmt.Fprintf(os.Stderr, "window: robot %s: %v %v\n", spec, b, err)
		}
		g.pacer.wake()
	}()
}

// take hands the probed link of spec over to a run (nil when there is
// none: not probed, not ready, or failed).
func (p *robotPick) take(spec string) *robotconn.Conn {
	if p == nil || p.spec != spec {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.conn
	p.conn = nil
	return c
}

// giveBack takes back the robot of a run that has ended, its link still
// open when the run ended with it healthy (robotconn.Options.Keep), for
// the next R; a pick let go meanwhile (C, the window closing) closes it.
func (p *robotPick) giveBack(c *robotconn.Conn) {
	p.mu.Lock()
	keep := !p.closed && p.conn == nil && c.Spec() == p.spec
	if keep {
		p.conn = c
	}
	p.mu.Unlock()
	if !keep {
		c.Close()
	}
}

// close lets the picked robot go.
func (p *robotPick) close() {
	if p.stop != nil {
		p.stop()
	}
	p.mu.Lock()
	c := p.conn
	p.conn = nil
	p.closed = true
	p.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// nextRobot picks the robot after the current one (C).
func (g *Game) nextRobot() {
	if r := g.robot; r != nil && r.running() {
		g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "The robot is drawing",
			body: "Shift+R stops it; then C picks another robot."})
		return
	}
	cs := robotChoices()
	cur := g.robotSpec()
	next := cs[0]
	for i, c := range cs {
		if c == cur {
			next = cs[(i+1)%len(cs)]
		}
	}
	g.pickRobot(next)
	body := "Opening it… (an mBot restarts when its port opens: a few seconds)"
	switch {
	case next == "sim":
		body = "R draws on the virtual mBot."
	case bridge.IsURL(next):
		body = "R sends the drawing there; drawings from other computers wait their turn."
	case next == link.WebSerialSpec:
		body = "Pick the mBot's port in the browser's list (often \"USB Serial\" or \"CH340\"). It restarts as its port opens: a few seconds."
	}
	if len(cs) == 1 {
		body = "No serial ports found: plug the mBot in with its USB cable and switch it on, then press C again."
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "Robot: " + robotName(next), body: body})
}

// onPort reports whether spec names a robot on a port of this computer (a
// serial port, the dongle, Web Serial), which is opened when picked: not
// the virtual mBot or a bridge's robot.
func onPort(spec string) bool { return spec != "sim" && !bridge.IsURL(spec) }

// robotName names a robot spec for people.
func robotName(spec string) string {
	if n := pageRobotName(spec); n != "" {
		return n
	}
	switch {
	case spec == "sim":
		return "the virtual mBot"
	case bridge.IsURL(spec):
		return bridge.WithoutToken(spec)
	case spec == link.WebSerialSpec:
		return "the mBot on a USB cable (Web Serial)"
	case spec == "hid:":
		return "the 2.4G dongle"
	case strings.HasPrefix(spec, "hid:"):
		return "the 2.4G dongle " + strings.TrimPrefix(spec, "hid:")
	}
	return strings.TrimPrefix(spec, "serial:")
}

// connName names a robot opened for people, as the panel shows it.
func connName(c *robotconn.Conn) string {
	if n := pageRobotName(c.Spec()); n != "" {
		return n
	}
	return c.String()
}

// pickStatus is the chip's text before any drawing is sent: which robot,
// and what answered there.
func (g *Game) pickStatus() (title, detail string, bg color.RGBA) {
	p := g.pick
	title, bg = "Robot: "+robotName(p.spec), colRobot
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !onPort(p.spec):
		detail = "R draws · C picks another robot"
	case p.probing:
		detail = "waiting for the mBot to start…"
	case p.err != nil:
		title, detail, bg = "No mBot on "+robotName(p.spec), whyNot(p.err)+" · C picks another", colError
		if p.spec == link.WebSerialSpec {
			title = "No mBot on a USB cable (Web Serial)"
		}
	case p.board.Version != "":
		detail = "mBot firmware " + p.board.Version
		if link.FirmwareNote(p.board.Version) != "" && strings.HasPrefix(p.board.Version, "06.01.0") {
			detail += " (factory program: draws in mode A)"
		}
		detail += " · R draws"
	default:
		detail = "connected · R draws"
	}
	return title, detail, bg
}

// whyNot says in a few words why no mBot was found on a port.
func whyNot(err error) string {
	switch {
	case errors.Is(err, link.ErrNoPort):
		return "not plugged in?"
	case errors.Is(err, link.ErrBusy):
		return "another program has it open"
	case errors.Is(err, link.ErrPermission):
		return "not allowed to open it"
	case errors.Is(err, link.ErrNotMBot):
		return "something else answers there"
	case errors.Is(err, link.ErrNoAnswer):
		return "nothing answered: switched off?"
	case errors.Is(err, link.ErrNoPortChosen):
		return "no port picked in the browser's list"
	case errors.Is(err, link.ErrNoWebSerial):
		return "this browser has no Web Serial: use Chrome or Edge"
	}
	return "it could not be opened"
}
