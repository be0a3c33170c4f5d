package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
	"mbotdraw/perf"
)

// Options configures a Server. The zero value is the documented default.
type Options struct {
	// Token, if set, must come with every connection (Authorization: Bearer
	// T, or ?token=T). Listen refuses addresses beyond loopback without one.
	Token  string
	Limits Limits
	// Pages, if set, is served at every path but /robot and InfoPath (the
	// browser player, for one), behind the same token and Host/Origin rules
	// (Guard); InfoPath then tells the pages where the robot is.
	Pages       http.Handler
	Compression Compression
	// ResumeWindow is how long a job whose client went away waits for it to
	// come back (hello with the job's key) before it is dropped with the pen
	// lifted (0: 60 s). A job its client has ended is drawn to the end even
	// if the client leaves.
	ResumeWindow time.Duration
	// StallTimeout drops the job at the head of the queue when it has
	// waited for its client's moves (nothing left to draw, not ended, not
	// paused) this long in all while other jobs waited (0: 60 s): the waits
	// add up, so that nobody can hold the robot by sending a tiny move now
	// and then.
	StallTimeout time.Duration
	// MaxPause drops the job at the head of the queue when it has been
	// paused this long in all while other jobs waited (0: 5 min): pausing
	// again does not start the count again.
	MaxPause time.Duration
	// MaxJobMoves bounds one job (0: 1,000,000 moves); MaxQueuedMoves bounds
	// the moves received and not yet drawn, over every job (0: 4,000,000,
	// about 32 MB); MaxJobs bounds the queue (0: 1000), and MaxJobsPerAddr
	// the jobs in it started from one client address (0: 10).
	MaxJobMoves    int
	MaxQueuedMoves int
	MaxJobs        int
	MaxJobsPerAddr int
	// ProgressInterval is how often progress is sent to every client while
	// a job is drawn (0: 100 ms).
	ProgressInterval time.Duration
	// RetryDelay is the wait before trying again after the robot failed
	// (0: 2 s).
	RetryDelay time.Duration
	// Logf, if set, receives one line per notable event (clients closed for
	// misbehaving, robot failures).
	Logf func(format string, a ...any)
	// OnRTT, if set, receives every WebSocket ping round trip measured (about
	// one a second per client), from the clients' goroutines: hand it to the
	// performance monitor (perf.Monitor.RecordWebSocket).
	OnRTT func(rtt time.Duration)
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ResumeWindow, 60*time.Second)
	def(&o.StallTimeout, 60*time.Second)
	def(&o.MaxPause, 5*time.Minute)
	def(&o.ProgressInterval, 100*time.Millisecond)
	def(&o.RetryDelay, 2*time.Second)
	if o.MaxJobMoves <= 0 {
		o.MaxJobMoves = 1_000_000
	}
	if o.MaxQueuedMoves <= 0 {
		o.MaxQueuedMoves = 4_000_000
	}
	if o.MaxJobs <= 0 {
		o.MaxJobs = 1000
	}
	if o.MaxJobsPerAddr <= 0 {
		o.MaxJobsPerAddr = 10
	}
	return o
}

// penWait is how long the pen may stay down while the job drawing waits for
// its client's next moves.
const penWait = 2 * time.Second

// maxChunk is the most moves handed to the robot in one Run, so that new
// moves, pauses and cancellations are taken up promptly.
const maxChunk = 256

// Slots of the robot endpoint's broadcasts.
const (
	slotState = iota
	slotProgress
)

// Server is the robot bridge: the /robot WebSocket endpoint in front of one
// Robot. Create it with New, serve it with Serve (or mount Handler), stop it
// with Shutdown.
type Server struct {
	h     *hub
	opts  Options
	robot Robot
	est   Estimator

	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	queue     []*job
	byKey     map[string]*job
	nextJob   uint64
	queued    int
	running   *job
	runCancel context.CancelFunc
	lastRan   *job
	ranAt     time.Time // when the last Run returned
	penDown   bool      // the robot's pen, as far as the bridge knows
	lost      bool
	closing   bool
	dirty     bool
	lastState stateKey // the state last sent to every client
	lastOwn   stateKey // the state last sent to the drawing job's owner
	lastOwner *peer
	wake      chan struct{}
	dups      uint64
	addrJobs  map[string]int // jobs in the queue per client address

	runnerDone chan struct{}
	tickerDone chan struct{}
	shutOnce   sync.Once
}

// job is one client's drawing: the moves received, how far the robot is.
type job struct {
	n       uint64
	key     string
	host    string // the client address that started it
	owner   *peer
	total   int
	moves   []wire.Move
	cum     []float64 // cum[i]: estimated ms of moves[:i] (with an Estimator)
	lastSeq uint64
	ended   bool
	done    int
	strokes int
	pen     bool // pen down after moves[:done]
	paused  bool
	removed bool

	// pausedFor and idleFor add up the time it held the robot while others
	// waited, paused and waiting for its client's moves.
	pausedFor, idleFor time.Duration
	place              int
	orphanSince        time.Time
}

// owner is a peer's record on the robot endpoint: its job, or the job that
// another connection took over from it (which its later messages must not
// touch, nor start a job in its place).
type owner struct {
	job     *job
	takenBy uint64 // the number of the job taken over, or 0
}

// New returns a bridge in front of r. It starts the goroutine that drives
// the robot; Shutdown stops it.
func New(r Robot, o Options) *Server {
	o = o.withDefaults()
	h := newHub(o.Token, o.Limits, o.Compression, o.Logf, o.OnRTT)
	// Nobody needs the robot's state or progress more than once per
	// progress interval.
	h.slotInterval = o.ProgressInterval
	s := &Server{h: h, opts: o, robot: r,
		byKey: map[string]*job{}, addrJobs: map[string]int{}, wake: make(chan struct{}, 1),
		runnerDone: make(chan struct{}), tickerDone: make(chan struct{})}
	s.est, _ = r.(Estimator)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.runner()
	go s.ticker()
	return s
}

// Handler serves the /robot endpoint, and with Options.Pages, InfoPath and
// the pages at the other paths.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	if s.opts.Pages != nil {
		mux.Handle("/", Guard(s.opts.Token, s.opts.Pages))
		mux.Handle(InfoPath, Guard(s.opts.Token, http.HandlerFunc(serveInfo)))
	}
	mux.HandleFunc("/robot", func(w http.ResponseWriter, r *http.Request) {
		s.h.serveWS(w, r, handlers{open: s.open, message: s.message, close: s.closed})
	})
	return mux
}

// Listen checks addr with CheckListen and listens on it (TCP).
func Listen(addr, token string) (net.Listener, error) {
	if err := CheckListen(addr, token); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves the bridge on ln until ctx is done, then shuts down
// gracefully (see Shutdown), waiting at most 15 s for the robot.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return serveHTTP(ctx, s.h.admit(ln), s.Handler(), s.Shutdown)
}

// serveHTTP runs an HTTP server on ln until ctx is done, then calls shutdown.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, shutdown func(context.Context) error) error {
	// An idle keep-alive connection (after a page's request) counts as a
	// pending handshake: it may not idle long.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = srv.Shutdown(sctx)
	cancel()
	// The robot may need a few seconds to finish its move and lift the pen.
	sctx, cancel = context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if e := shutdown(sctx); err == nil && e != nil {
		err = e
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Shutdown stops the bridge: the robot finishes its current move and lifts
// the pen, every client is told (close code 1001) and closed. The robot is
// always waited for (a Robot bounds its own stop), so that nothing else
// drives it meanwhile; the clients until ctx is done at most.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.shutOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.cancel()
		<-s.runnerDone
		<-s.tickerDone
		if e := s.robot.Stop(ctx); e != nil {
			err = fmt.Errorf("stopping the robot: %w", e)
		}
		s.mu.Lock()
		s.penDown = false
		s.broadcastStateLocked(true)
		s.mu.Unlock()
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = time.Now().Add(5 * time.Second)
		}
		s.h.closeAll(websocket.CloseGoingAway, "bridge shutting down", deadline)
	})
	return err
}

// Stats returns the connection statistics.
func (s *Server) Stats() Stats { return s.h.stats() }

// RTT returns a copy of the histogram of WebSocket ping round trips to every
// client, for the performance monitor.
func (s *Server) RTT() perf.Histogram { return s.h.rttHistogram() }

// Duplicates returns how many already-acked messages were received again
// (and acked again without being applied), as clients resend after
// reconnecting.
func (s *Server) Duplicates() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dups
}

func (s *Server) open(p *peer) {
	p.data = &owner{}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.setSlot(slotState, outMsg{data: s.stateMsgLocked(false).Encode()})
	if j := s.headLocked(); j != nil {
		p.setSlot(slotProgress, outMsg{data: s.progressMsgLocked(j, "").Encode()})
	}
}

func (s *Server) closed(p *peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := p.data.(*owner)
	j := o.job
	if j == nil || j.owner != p {
		return
	}
	j.owner = nil
	j.orphanSince = time.Now()
	// A job not ended whose robot has drawn nothing, nor is about to, has
	// nothing to resume: it leaves the queue at once, so that a client that
	// starts jobs and vanishes holds nobody up.
	if !j.ended && j.done == 0 && s.running != j && (j != s.headLocked() || len(j.moves) == 0) {
		s.h.logf("dropping job %d: its client left before it began", j.n)
		s.removeLocked(j, "dropped")
	}
}

func (s *Server) message(p *peer, m *wire.Message) {
	switch m.Type {
	case wire.TypePing:
		p.reply(wire.Message{Type: wire.TypePong, ID: m.ID})
		return
	case wire.TypePong:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := p.data.(*owner)
	j := o.job
	if j != nil && j.removed {
		j, o.job = nil, nil
	}
	switch m.Type {
	case wire.TypeHello:
		s.hello(p, o, m)
	case wire.TypeMoves, wire.TypeEnd:
		if j == nil {
			// Check the sequence before creating anything: only a first
			// message starts a job.
			switch {
			case o.takenBy != 0:
				p.sendError(m.Seq, "%s: job %d was taken over by a new connection with its key", m.Type, o.takenBy)
				return
			case m.Type == wire.TypeEnd:
				p.sendError(m.Seq, "end: there is no job to end")
				return
			case m.Seq != 1:
				p.sendError(m.Seq, "moves: seq %d but this connection has no job: say hello with the job's key, or start a new job at seq 1", m.Seq)
				return
			}
			if j = s.newJobLocked(p, o, "", 0); j == nil {
				return
			}
		}
		s.input(p, j, m)
	case wire.TypeCancel, wire.TypePause, wire.TypeResume:
		if j == nil {
			p.sendError(0, "%s: you have no job", m.Type)
			return
		}
		switch m.Type {
		case wire.TypeCancel:
			s.removeLocked(j, "cancelled")
		case wire.TypePause:
			j.paused = true
			if s.running == j && s.runCancel != nil {
				s.runCancel()
			}
		case wire.TypeResume:
			j.paused = false
		}
		s.broadcastStateLocked(false)
		s.wakeRunner()
	default:
		p.sendError(m.Seq, "message type %q is not used on /robot", m.Type)
	}
}

func (s *Server) hello(p *peer, o *owner, m *wire.Message) {
	if j := o.job; j != nil {
		if j.key != m.Key {
			p.sendError(0, "hello: this connection already has job %d; cancel it or wait until it is done", j.n)
			return
		}
		s.welcomeLocked(p, j)
		return
	}
	if j := s.byKey[m.Key]; j != nil {
		if old := j.owner; old != nil && old != p {
			oo := old.data.(*owner)
			oo.job, oo.takenBy = nil, j.n
			old.sendError(0, "job %d was taken over by a new connection with its key", j.n)
		}
		j.owner, j.orphanSince, o.job, o.takenBy = p, time.Time{}, j, 0
		if m.Total > 0 {
			j.total = m.Total
		}
		s.welcomeLocked(p, j)
		return
	}
	s.newJobLocked(p, o, m.Key, m.Total)
}

func (s *Server) newJobLocked(p *peer, o *owner, key string, total int) *job {
	if s.closing {
		p.sendError(0, "the bridge is shutting down")
		return nil
	}
	if len(s.queue) >= s.opts.MaxJobs {
		p.sendError(0, "the bridge is busy: %d jobs are waiting; try again later", len(s.queue))
		return nil
	}
	host := addrHost(p.addr)
	if s.addrJobs[host] >= s.opts.MaxJobsPerAddr {
		p.sendError(0, "your computer already has %d jobs waiting; wait until one is drawn", s.addrJobs[host])
		return nil
	}
	s.addrJobs[host]++
	s.nextJob++
	j := &job{n: s.nextJob, key: key, host: host, owner: p, total: total, place: len(s.queue)}
	if s.est != nil {
		j.cum = []float64{0}
	}
	s.queue = append(s.queue, j)
	if key != "" {
		s.byKey[key] = j
	}
	o.job, o.takenBy = j, 0
	s.welcomeLocked(p, j)
	s.broadcastStateLocked(false)
	s.wakeRunner()
	return j
}

func (s *Server) welcomeLocked(p *peer, j *job) {
	p.reply(wire.Message{Type: wire.TypeWelcome, Job: j.n, Seq: j.lastSeq, Total: j.total, Received: len(j.moves), Done: j.done, Place: j.place})
}

// input applies a moves or end message to j, in sequence.
func (s *Server) input(p *peer, j *job, m *wire.Message) {
	switch {
	case m.Seq <= j.lastSeq:
		s.dups++
		p.reply(wire.Message{Type: wire.TypeAck, Seq: m.Seq})
		return
	case m.Seq != j.lastSeq+1:
		p.sendError(m.Seq, "%s: seq %d out of order: expected %d", m.Type, m.Seq, j.lastSeq+1)
		return
	case j.ended:
		p.sendError(m.Seq, "%s: job %d has ended", m.Type, j.n)
		return
	}
	if m.Type == wire.TypeMoves {
		n := len(m.Moves)
		if len(j.moves)+n > s.opts.MaxJobMoves {
			p.sendError(m.Seq, "moves: job %d would have more than %d moves", j.n, s.opts.MaxJobMoves)
			return
		}
		if s.queued+n > s.opts.MaxQueuedMoves {
			p.sendError(m.Seq, "moves: the bridge is busy (%d moves waiting); send again later", s.queued)
			return
		}
		j.moves = append(j.moves, m.Moves...)
		if s.est != nil {
			t := j.cum[len(j.cum)-1]
			for _, mv := range m.Moves {
				t += float64(s.est.Estimate(mv)) / 1e6
				j.cum = append(j.cum, t)
			}
		}
		s.queued += n
	} else {
		j.ended = true
	}
	j.lastSeq = m.Seq
	p.reply(wire.Message{Type: wire.TypeAck, Seq: m.Seq})
	s.wakeRunner()
}

func (s *Server) wakeRunner() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Server) headLocked() *job {
	if len(s.queue) == 0 {
		return nil
	}
	return s.queue[0]
}

// removeLocked takes j out of the queue: finished ("done"), "cancelled" or
// "dropped". A running job's Run is cancelled, which lifts the pen.
func (s *Server) removeLocked(j *job, why string) {
	if j.removed {
		return
	}
	j.removed = true
	wasHead := s.headLocked() == j
	for i, q := range s.queue {
		if q == j {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			break
		}
	}
	if j.key != "" && s.byKey[j.key] == j {
		delete(s.byKey, j.key)
	}
	if s.addrJobs[j.host]--; s.addrJobs[j.host] <= 0 {
		delete(s.addrJobs, j.host)
	}
	s.queued -= len(j.moves) - j.done
	if s.running == j && s.runCancel != nil {
		s.runCancel()
	}
	final := s.progressMsgLocked(j, why)
	if j.owner != nil {
		// The owner gets its job's last word even when another's progress
		// replaces it in the broadcast slot.
		j.owner.send(final.Encode())
	}
	if wasHead || j.done > 0 {
		// Everyone may have been shown its progress: they see it end. A
		// job that only waited in the queue concerned its owner alone, so
		// that a client that starts jobs and vanishes costs the others
		// nothing.
		s.h.broadcast(slotProgress, final.Encode())
	}
	s.tellPlacesLocked()
	s.broadcastStateLocked(false)
	s.wakeRunner()
}

// dropLocked drops j for holding the robot, telling its owner why.
func (s *Server) dropLocked(j *job, why string) {
	s.h.logf("dropping job %d: %s", j.n, why)
	if j.owner != nil {
		j.owner.sendError(0, "job %d dropped: %s", j.n, why)
	}
	s.removeLocked(j, "dropped")
}

// ticker sends progress while the robot draws and drops jobs whose clients
// went away or stalled.
func (s *Server) ticker() {
	defer close(s.tickerDone)
	t := time.NewTicker(s.opts.ProgressInterval)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			s.mu.Lock()
			s.dropHoldersLocked(now, now.Sub(last))
			last = now
			if s.dirty {
				s.dirty = false
				if j := s.headLocked(); j != nil {
					s.h.broadcast(slotProgress, s.progressMsgLocked(j, "").Encode())
				}
			}
			s.sendStateLocked(false, true)
			s.mu.Unlock()
		}
	}
}

// dropHoldersLocked drops the jobs whose clients went away and did not come
// back, and the job at the head of the queue when, while others wait, it
// has been paused or waited for its client's moves too long in all (dt
// more since the last call).
func (s *Server) dropHoldersLocked(now time.Time, dt time.Duration) {
	for _, j := range append([]*job(nil), s.queue...) {
		if !j.ended && j.owner == nil && !j.orphanSince.IsZero() && now.Sub(j.orphanSince) > s.opts.ResumeWindow {
			s.h.logf("dropping job %d: its client did not come back within %v", j.n, s.opts.ResumeWindow)
			s.removeLocked(j, "dropped")
		}
	}
	j := s.headLocked()
	if j == nil || len(s.queue) < 2 {
		return
	}
	switch {
	case j.paused:
		if j.pausedFor += dt; j.pausedFor > s.opts.MaxPause {
			s.dropLocked(j, fmt.Sprintf("paused for %v in all while others wait", s.opts.MaxPause))
		}
	case !j.ended && j.done >= len(j.moves):
		if j.idleFor += dt; j.idleFor > s.opts.StallTimeout {
			s.dropLocked(j, fmt.Sprintf("no moves to draw for %v in all while others wait", s.opts.StallTimeout))
		}
	}
}

// runner drives the robot: the head job's moves, chunk by chunk.
func (s *Server) runner() {
	defer close(s.runnerDone)
	for {
		s.mu.Lock()
		j, chunk, prefix := s.nextLocked()
		if j == nil {
			var wait <-chan time.Time
			if s.penDown {
				// The job drawing waits for its next moves with the pen
				// down: a network hiccup should not leave a gap, but a long
				// wait would blot the paper. Anything else (the job left,
				// was paused) lifts the pen now.
				head := s.headLocked()
				if left := penWait - time.Since(s.ranAt); head != nil && head == s.lastRan && !head.paused && left > 0 {
					wait = time.After(left)
				} else {
					s.mu.Unlock()
					_ = s.robot.Stop(s.ctx)
					s.mu.Lock()
					s.penDown = false
					s.mu.Unlock()
					continue
				}
			}
			s.broadcastStateLocked(false)
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-wait:
			case <-s.ctx.Done():
				return
			}
			continue
		}
		ctx, cancel := context.WithCancel(s.ctx)
		s.running, s.runCancel, s.lastRan = j, cancel, j
		base := j.done
		s.broadcastStateLocked(false)
		s.mu.Unlock()

		err := s.robot.Run(ctx, chunk, func(ev RobotEvent) { s.robotEvent(j, base, prefix, ev) })
		cancel()

		s.mu.Lock()
		s.running, s.runCancel, s.ranAt = nil, nil, time.Now()
		failed := err != nil && ctx.Err() == nil
		if err != nil && !failed {
			s.penDown = false // a cancelled Run lifts the pen
		}
		if failed {
			s.lost = true
			s.h.logf("robot: %v", err)
			if j.owner != nil {
				j.owner.sendError(0, "robot: %v; trying again in %v", err, s.opts.RetryDelay)
			}
		}
		s.broadcastStateLocked(false)
		s.mu.Unlock()
		if s.ctx.Err() != nil {
			return
		}
		if failed {
			select {
			case <-time.After(s.opts.RetryDelay):
			case <-s.ctx.Done():
				return
			}
			s.mu.Lock()
			s.lost = false
			s.mu.Unlock()
		}
	}
}

// nextLocked picks what to draw: the head job's next moves, with a pen drop
// first when the job's pen should be down but the robot's is up (after a
// pause or a failure). Finished jobs leave the queue here.
func (s *Server) nextLocked() (*job, []wire.Move, int) {
	for len(s.queue) > 0 && !s.closing {
		j := s.queue[0]
		if s.penDown && s.lastRan != j {
			return nil, nil, 0 // lift the previous job's pen first
		}
		if j.done >= len(j.moves) {
			if j.ended {
				s.removeLocked(j, "done")
				continue
			}
			return nil, nil, 0
		}
		if j.paused {
			return nil, nil, 0
		}
		chunk := j.moves[j.done:len(j.moves):len(j.moves)]
		if len(chunk) > maxChunk {
			chunk = chunk[:maxChunk]
		}
		if j.pen && !s.penDown {
			return j, append([]wire.Move{{Kind: wire.PenDown}}, chunk...), 1
		}
		return j, chunk, 0
	}
	return nil, nil, 0
}

func (s *Server) robotEvent(j *job, base, prefix int, ev RobotEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ev.Lost != s.lost {
		s.lost = ev.Lost
		if ev.Lost {
			s.h.logf("robot: the link to the robot is lost; reconnecting (job %d waits)", j.n)
		} else {
			s.h.logf("robot: the link to the robot is back; job %d goes on", j.n)
		}
		s.broadcastStateLocked(false)
	}
	if ev.Done >= 1 && prefix == 1 {
		s.penDown = true
	}
	if j.removed {
		return
	}
	to := base + ev.Done - prefix
	for i := j.done; i < to && i < len(j.moves); i++ {
		switch j.moves[i].Kind {
		case wire.PenDown:
			j.pen = true
		case wire.PenUp:
			if j.pen {
				j.strokes++
			}
			j.pen = false
		}
		j.done++
		s.queued--
	}
	s.penDown = j.pen
	s.dirty = true
}
