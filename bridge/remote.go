package bridge

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"sync"
	"time"

	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
)

// Remote draws a program on the robot of an mbotdraw bridge (--robot
// ws://HOST:PORT/robot, with ?token=T if the bridge has one): the
// program's motions go as moves (a Client batches them and resumes after a
// lost connection), and the bridge's reports come back as robot.Progress
// computed from the program's own motion model (JobProgress), so that
// `plot` and the window show the robot's state, pose and time left the
// same way for every kind of robot. It is the bridge's robot.Plotter.
//
// Pause and Resume reach the bridge as the job owner's pause and resume;
// cancelling Run's context cancels the job there (the robot lifts its pen).
type Remote struct {
	url        string
	prog       *robot.Program
	opts       ClientOptions
	onProgress func(robot.Progress)
	// progress reads the bridge's reports as the program's progress.
	progress func(JobReport) robot.Progress

	mu       sync.Mutex
	p        robot.Progress
	client   *Client
	job      *ClientJob
	place    int
	wantStop bool // Pause asked before the job started: pause it at once
	final    bool // Run has returned: p is the last word
}

var _ robot.Plotter = (*Remote)(nil)

// NewRemote prepares prog for the bridge at url; nothing is dialled before
// Run. A ?token=T in url is sent as a header (it never shows in a
// message) and takes the place of o.Token. onProgress, if not nil,
// receives every report from the bridge as the program's progress, in
// order, from the client's reader goroutine: keep it short.
func NewRemote(url string, prog *robot.Program, o ClientOptions, onProgress func(robot.Progress)) *Remote {
	url, token := splitToken(url)
	if token != "" {
		o.Token = token
	}
	w := &Remote{url: url, prog: prog, opts: o, onProgress: onProgress, progress: JobProgress(prog)}
	w.p = robot.Progress{State: robot.StateConnecting, Motions: len(prog.Motions), Left: prog.Duration, LeftWall: prog.Duration}
	if prog.Plan != nil {
		w.p.Paths, w.p.Strokes = len(prog.Plan.Paths), len(prog.Plan.Sources)
	}
	return w
}

// Run dials the bridge, sends the program as one job and waits until the
// bridge has drawn it, the job fails, or ctx is done (the job is then
// cancelled on the bridge).
func (w *Remote) Run(ctx context.Context) (err error) {
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
	c, err := Dial(ctx, w.url, w.opts)
	if err != nil {
		return err
	}
	defer c.Close()
	moves := Moves(w.prog.Motions)
	job, err := c.Start(len(moves), w.report)
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.client, w.job = c, job
	pause := w.wantStop
	w.mu.Unlock()
	if pause {
		job.Pause()
	}
	job.Add(moves...)
	job.End()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watched := make(chan struct{})
	go func() { defer close(watched); w.watchRobot(ctx, cancel, job) }()
	err = job.Wait(ctx)
	cancel(nil)
	<-watched
	if cause := context.Cause(ctx); errors.Is(cause, errRobotLost) {
		return cause
	}
	return err
}

// errRobotLost marks the error of a job whose bridge lost its robot for good.
var errRobotLost = errors.New("the bridge's robot is lost")

// watchRobot ends the job (cancel) when the bridge's robot has been lost
// for longer than the options' RetryFor without drawing a move meanwhile:
// the bridge itself tries again for ever, but the person at this end
// should not wait for ever.
func (w *Remote) watchRobot(ctx context.Context, cancel context.CancelCauseFunc, job *ClientJob) {
	limit := w.opts.withDefaults().RetryFor
	t := time.NewTicker(min(200*time.Millisecond, max(limit/4, time.Millisecond)))
	defer t.Stop()
	var lostSince time.Time
	done := -1
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if d := job.Progress().Done; d != done {
				done, lostSince = d, time.Time{} // the robot drew: it is back
			}
			if st, _ := w.client.State(); st != wire.StateLost {
				continue
			}
			if lostSince.IsZero() {
				lostSince = now
			} else if now.Sub(lostSince) > limit {
				cancel(fmt.Errorf("%w: it has not drawn for %v since it was lost; check that the robot is on and plugged in at the bridge, then plot again", errRobotLost, limit.Round(time.Second)))
				return
			}
		}
	}
}

// report takes the bridge's news of the job, mapped onto the program's
// motions. It runs on the link's reader goroutine.
func (w *Remote) report(p JobReport) {
	rp := w.progress(p)
	w.mu.Lock()
	final := w.final
	if !final {
		w.p, w.place = rp, p.Place
	}
	w.mu.Unlock()
	if !final && w.onProgress != nil {
		w.onProgress(rp)
	}
}

// Progress returns the job's progress. Pausing and a robot lost by the
// bridge come as the bridge's state, not as job reports: they are read
// from the link's last state message.
func (w *Remote) Progress() robot.Progress {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.p
	if w.final || w.client == nil || w.place > 0 {
		return p
	}
	switch p.State {
	case robot.StateDrawing, robot.StatePaused, robot.StateLostLink:
		st, _ := w.client.State()
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
func (w *Remote) Pause() {
	w.mu.Lock()
	j := w.job
	w.wantStop = j == nil
	w.mu.Unlock()
	if j != nil {
		j.Pause()
	}
}

// Resume continues a paused job.
func (w *Remote) Resume() {
	w.mu.Lock()
	j := w.job
	w.wantStop = false
	w.mu.Unlock()
	if j != nil {
		j.Resume()
	}
}

// WithoutToken returns a bridge's URL without its ?token=T, to show to
// people.
func WithoutToken(url string) string {
	u, _ := splitToken(url)
	return u
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
