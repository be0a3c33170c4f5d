package window

import (
	"context"
	"errors"
	neturl "net/url"
	"sync"

	"mbotdraw/bridge"
	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// wsRobot draws a program on the robot of an mbotdraw bridge (--robot
// ws://HOST:PORT/robot, with ?token=T if the bridge has one): the
// program's motions go as moves (link.WS batches them and resumes after a
// lost connection), and the bridge's reports come back as robot.Progress
// computed from the program's own motion model, as `plot` shows them, so
// the robot view shows the robot's state, pose and time left the same way
// for every kind of robot.
//
// Pause and Resume reach the bridge as the job owner's pause and resume;
// cancelling Run's context cancels the job there (the robot lifts its pen).
type wsRobot struct {
	url  string
	prog *robot.Program
	opts link.WSOptions
	// progress reads the bridge's reports as the program's progress.
	progress func(link.WSProgress) robot.Progress

	mu       sync.Mutex
	p        robot.Progress
	ws       *link.WS
	job      *link.WSJob
	place    int
	wantStop bool // Pause asked before the job started: pause it at once
	final    bool // Run has returned: p is the last word
}

// newWSRobot prepares prog for the bridge at url; nothing is dialled
// before Run.
func newWSRobot(url string, prog *robot.Program, o link.WSOptions) *wsRobot {
	url, token := splitToken(url)
	if token != "" {
		o.Token = token // as a header: it never shows in a message
	}
	w := &wsRobot{url: url, prog: prog, opts: o, progress: bridge.JobProgress(prog)}
	w.p = robot.Progress{State: robot.StateConnecting, Motions: len(prog.Motions), Left: prog.Duration, LeftWall: prog.Duration}
	if prog.Plan != nil {
		w.p.Paths, w.p.Strokes = len(prog.Plan.Paths), len(prog.Plan.Sources)
	}
	return w
}

// wsOptions are the WebSocket link's settings from the profile: batching
// and compression, and round trips into the performance monitor.
func (g *Game) wsOptions() link.WSOptions {
	prof := g.perf.prof
	return link.WSOptions{
		Batch:         wire.BatchOptions{Size: prof.BatchSize, Delay: prof.BatchDelay},
		NoCompression: !prof.Compression,
		OnRTT:         g.perf.mon.RecordWebSocket,
	}
}

// Run dials the bridge, sends the program as one job and waits until the
// bridge has drawn it, the job fails, or ctx is done (the job is then
// cancelled on the bridge).
func (w *wsRobot) Run(ctx context.Context) (err error) {
	defer func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.final = true
		switch {
		case err == nil:
			w.p.State, w.p.Err = robot.StateDone, nil
		default:
			w.p.State, w.p.Err = robot.StateStopped, err
		}
	}()
	ws, err := link.DialWS(ctx, w.url, w.opts)
	if err != nil {
		return err
	}
	defer ws.Close()
	moves := bridge.Moves(w.prog.Motions)
	job, err := ws.Start(len(moves), w.report)
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.ws, w.job = ws, job
	pause := w.wantStop
	w.mu.Unlock()
	if pause {
		job.Pause()
	}
	job.Add(moves...)
	job.End()
	return job.Wait(ctx)
}

// report takes the bridge's news of the job, mapped onto the program's
// motions. It runs on the link's reader goroutine.
func (w *wsRobot) report(p link.WSProgress) {
	rp := w.progress(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.final {
		w.p, w.place = rp, p.Place
	}
}

// Progress returns the job's progress. Pausing and a robot lost by the
// bridge come as the bridge's state, not as job reports: they are read
// from the link's last state message.
func (w *wsRobot) Progress() robot.Progress {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.p
	if w.final || w.ws == nil || w.place > 0 {
		return p
	}
	switch p.State {
	case robot.StateDrawing, robot.StatePaused, robot.StateLostLink:
		st, _ := w.ws.State()
		switch st {
		case wire.StatePaused:
			p.State = robot.StatePaused
		case wire.StateLost:
			p.State, p.Err = robot.StateLostLink, errors.New("the bridge lost its robot")
		case wire.StateDrawing, wire.StateWaiting:
			p.State = robot.StateDrawing
		}
	}
	return p
}

// Pause asks the bridge to pause the job after the move under way, with the
// pen lifted.
func (w *wsRobot) Pause() {
	w.mu.Lock()
	j := w.job
	w.wantStop = j == nil
	w.mu.Unlock()
	if j != nil {
		j.Pause()
	}
}

// Resume continues a paused job.
func (w *wsRobot) Resume() {
	w.mu.Lock()
	j := w.job
	w.wantStop = false
	w.mu.Unlock()
	if j != nil {
		j.Resume()
	}
}

// splitToken takes the token out of a bridge's URL (ws://HOST:PORT/robot?token=T):
// the URL without it, to show and to dial, and the token.
func splitToken(raw string) (string, string) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw, ""
	}
	q := u.Query()
	token := q.Get("token")
	if token == "" {
		return raw, ""
	}
	q.Del("token")
	u.RawQuery = q.Encode()
	return u.String(), token
}
