package app

import (
	"bufio"
	"context"
	"fmt"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"mbotdraw/bridge"
	"mbotdraw/playback/format"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// runPlot draws a drawing on the robot from the terminal.
func runPlot(env *Env, args []string) error {
	fs := newFlags(env, "plot")
	rf := addRobotFlags(fs, "", "")
	spec := rf.spec
	paper := fs.String("paper", "A4", "paper size: WxH in mm (210x297mm), or A3, A4, A5, letter, legal, with -landscape")
	margin := fs.Float64("margin", robot.DefaultMargin, "blank border on every side, in mm")
	tol := fs.Float64("tolerance", robot.DefaultTolerance, "simplification tolerance in mm (0: none)")
	twoOpt := fs.Bool("two-opt", true, "improve the stroke order with 2-opt moves between nearby strokes (--two-opt=false plans faster)")
	keepOrder := fs.Bool("keep-order", false, "draw the strokes in file order, as they were drawn")
	returnHome := fs.Bool("return-home", false, "drive back to the start at the end")
	dry := fs.Bool("dry-run", false, "plan only: print the summary, write --log, open nothing")
	verbose := fs.Bool("verbose", false, "print the plan's figures too: paths, travel in mm, points, motions, frames")
	logPath := fs.String("log", "", "write the frames, one JSON object a line: {\"t_ms\":…,\"hex\":\"ff55…\"} (robot time)")
	index := fs.Int("index", 0, "which drawing of a many-drawing file (Quick, Draw! ndjson), from 0")
	reconnect := fs.Duration("reconnect", 30*time.Second, "how long to wait for a lost robot to come back")
	simTrace := fs.String("sim-trace", "", "with --robot sim: save what the virtual robot drew on the paper as a PNG")
	pens := fs.Bool("pens", false, "draw colour by colour, one pen each: the robot stops, pen lifted, before each new colour until you put that pen in and press Enter (without a terminal, each line read on stdin answers the next pen change, so a script can pipe newlines; stdin ending with a pen change pending stops the plot)")
	maxPoints := addMaxPointsFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkMaxPoints(*maxPoints); err != nil {
		return err
	}
	if err := wantArgs(pos, 1, 1, "FILE"); err != nil {
		return err
	}
	file := pos[0]
	if *spec == "" && !*dry {
		return usagef("plot: --robot is missing (sim, serial:PORT or ws://HOST:PORT/robot), or use --dry-run")
	}
	if *pens && bridge.IsURL(*spec) {
		return usagef("plot: --pens needs a robot this program drives (sim or serial:PORT): a bridge draws with the one pen it has")
	}
	if *logPath != "" && !*dry && bridge.IsURL(*spec) {
		return usagef("plot: --log needs a robot this program drives (sim or serial:PORT), or --dry-run: a bridge is sent moves, not frames")
	}
	if *simTrace != "" && (*spec != "sim" || *dry) {
		return usagef("plot: --sim-trace needs --robot sim and no --dry-run")
	}
	pw, ph, err := robot.ParsePaper(*paper)
	if err != nil {
		return usagef("plot: --paper: %v", err)
	}
	if *margin < 0 || *tol < 0 || *index < 0 || *reconnect < 0 {
		return usagef("plot: --margin, --tolerance, --index and --reconnect cannot be negative")
	}
	k, cal, err := rf.settings()
	if err != nil {
		return err
	}

	d, err := format.Load(file, format.Options{Index: *index, MaxPoints: *maxPoints})
	if err != nil {
		return err
	}
	po := robot.PlanOptions{PaperWidth: pw, PaperHeight: ph, Margin: *margin, Tolerance: *tol,
		TwoOpt: *twoOpt, KeepOrder: *keepOrder, ByColour: *pens}
	if *margin == 0 {
		po.Margin = -1
	}
	if *tol == 0 {
		po.Tolerance = -1
	}
	plan, err := robot.NewPlan(d, po)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(plan.Paths) == 0 {
		return fmt.Errorf("%s: nothing to draw (no strokes)", file)
	}
	prog, err := robot.Compile(plan, cal, robot.CompileOptions{ReturnHome: *returnHome})
	if err != nil {
		return err
	}
	printPlan(env.Stdout, file, prog, *verbose)

	if *dry {
		if *logPath == "" {
			return nil
		}
		frames := make([]robot.SentFrame, len(prog.Frames))
		for i, f := range prog.Frames {
			frames[i] = robot.SentFrame{T: f.T, Bytes: f.Bytes}
		}
		return writeFrameLog(*logPath, frames)
	}

	r := plotRun{spec: *spec, file: file, logPath: *logPath, simTrace: *simTrace, pens: *pens,
		reconnect: *reconnect, timeScale: k, cal: cal, paperW: pw, paperH: ph}
	return r.draw(env, prog)
}

// plotRun is how `plot` draws a compiled program on the robot, from its
// flags.
type plotRun struct {
	spec, file, logPath, simTrace string
	pens                          bool
	reconnect                     time.Duration
	timeScale                     float64 // 0: max
	cal                           robot.Calibration
	paperW, paperH                float64
}

// draw opens the robot, draws prog with a progress bar and the keys
// (Enter pauses, and answers pen changes), and writes --log and
// --sim-trace.
func (r plotRun) draw(env *Env, prog *robot.Program) error {
	k, pw, ph := r.timeScale, r.paperW, r.paperH
	rc, err := openRobot(r.spec, r.cal, prog.Home, k, env.Stderr, "plot")
	if err != nil {
		return err
	}
	defer rc.Close()
	bar := newProgressBar(env.Stderr, k == 0)
	keys := newPlotKeys(env, r.pens)
	o := robot.DriverOptions{OnProgress: func(p robot.Progress) {
		bar.update(p)
		keys.progress(p)
	}}
	o.Reconnect = r.reconnect
	if r.reconnect == 0 {
		o.Reconnect = -1
	}
	ctx, cancel := context.WithCancel(env.Ctx)
	defer cancel()
	plotter := rc.Plotter(prog, o)
	stopKeys := keys.start(plotter, cancel)
	runErr := plotter.Run(ctx)
	stopKeys()
	if err := keys.err(); err != nil && runErr != nil {
		runErr = err // stdin ended at a pen change
	}
	bar.finish()
	if drv, ok := plotter.(*robot.Driver); ok && r.logPath != "" {
		if err := writeFrameLog(r.logPath, drv.Sent()); err != nil && runErr == nil {
			runErr = err
		}
	}
	if sim := rc.Sim(); r.simTrace != "" && sim != nil {
		img := sim.Trace().Render(link.RenderOptions{Size: link.Point{X: pw, Y: ph}, Scale: 4})
		if err := writeFile(r.simTrace, func(w io.Writer) error { return png.Encode(w, img) }); err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr != nil {
		return fmt.Errorf("plot %s on %s: %w", r.file, r.spec, runErr)
	}
	return nil
}

// printPlan prints the plan summary in plain words: how many lines the
// robot draws, about how long it takes, and how much travel the ordering
// saves; verbose adds the plan's figures.
func printPlan(w io.Writer, file string, p *robot.Program, verbose bool) {
	s := p.Plan.Stats
	line := fmt.Sprintf("%s: %s to draw, %s", file, plural(s.Paths, "line"), aboutDuration(p.Duration))
	if pct := math.Round(100 * s.Reduction); pct >= 1 {
		line += fmt.Sprintf(", %g %% less travel than in file order", pct)
	}
	fmt.Fprintln(w, line)
	if verbose {
		fmt.Fprintf(w, "%s in %s on %gx%g mm paper (margin %g mm, %.3g mm per unit)\n",
			plural(s.Strokes, "stroke"), plural(s.Paths, "pen-down path"), p.Plan.PaperWidth, p.Plan.PaperHeight, p.Plan.Margin, p.Plan.Scale)
		fmt.Fprintf(w, "pen down %.0f mm; pen up %.0f mm (file order %.0f mm: %.0f%% less)\n",
			s.PenDown, s.PenUp, s.FilePenUp, 100*s.Reduction)
		fmt.Fprintf(w, "points %d (from %d); %s, %s; estimated time %s\n",
			s.Points, s.Original, plural(len(p.Motions), "motion"), plural(len(p.Frames), "frame"), clockString(p.Duration))
	}
	if gs := p.Plan.Groups; gs != nil {
		names := make([]string, len(gs))
		for i, g := range gs {
			names[i] = g.Pen.String()
		}
		fmt.Fprintf(w, "pens %d: %s; start with the %s pen (the estimate leaves out the pen changes)\n",
			len(gs), strings.Join(names, ", then "), gs[0].Pen.Name)
	}
}

// writeFrameLog writes the frames log: one {"t_ms":…,"hex":"…"} a line.
func writeFrameLog(path string, frames []robot.SentFrame) error {
	return writeFile(path, func(w io.Writer) error {
		for _, f := range frames {
			ms := strconv.FormatFloat(float64(f.T)/float64(time.Millisecond), 'f', 3, 64)
			if _, err := fmt.Fprintf(w, "{\"t_ms\":%s,\"hex\":\"%s\"}\n", ms, mblock.Hex(f.Bytes)); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		return nil
	})
}

// aboutDuration says a time as people do: "about 40 seconds", "about 1
// minute", "about 2 minutes", "about 1 hour 20 minutes".
func aboutDuration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return "a few seconds"
	case d < 55*time.Second:
		return fmt.Sprintf("about %d seconds", int(d.Round(5*time.Second)/time.Second))
	case d < 59*time.Minute+30*time.Second:
		return "about " + plural(max(1, int(d.Round(time.Minute)/time.Minute)), "minute")
	}
	m := int(d.Round(time.Minute) / time.Minute)
	s := "about " + plural(m/60, "hour")
	if m%60 > 0 {
		s += " " + plural(m%60, "minute")
	}
	return s
}

// clockString formats a duration as h:mm:ss or m:ss.
func clockString(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// progressBar shows the driver's progress on stderr: a bar redrawn in place
// on a terminal, a plain line every 10% (and on each change of state)
// otherwise.
type progressBar struct {
	w         io.Writer
	tty       bool
	robotTime bool // time left in robot time (--time-scale max)
	lastState robot.State
	resets    int // robot restarts already reported
	lastTenth int
	lastDraw  time.Time
	drawn     bool
}

func newProgressBar(w io.Writer, robotTime bool) *progressBar {
	return &progressBar{w: w, tty: isTerminal(w), robotTime: robotTime, lastState: -1, lastTenth: -1}
}

func (b *progressBar) update(p robot.Progress) {
	if p.Resets > b.resets {
		b.resets = p.Resets
		if b.tty && b.drawn {
			fmt.Fprintln(b.w)
		}
		fmt.Fprintf(b.w, "plot: the robot restarted (a power dip? fresh batteries help): pen lifted, going on from where it stopped\n")
	}
	left := p.LeftWall
	unit := "left"
	if b.robotTime {
		left, unit = p.Left, "left (robot time)"
	}
	state := p.State.String()
	switch {
	case p.State == robot.StateLostLink && p.Err != nil:
		state = "lost link, reconnecting: " + p.Err.Error()
	case p.State == robot.StateConnecting:
		state = "waiting for the mBot to start…"
	}
	if b.tty {
		if p.State == b.lastState && time.Since(b.lastDraw) < 50*time.Millisecond && p.State != robot.StateDone {
			return
		}
		const width = 30
		n := int(p.Percent / 100 * width)
		line := fmt.Sprintf("[%s%s] %3.0f%%  strokes %d/%d  %s %s  %s",
			strings.Repeat("#", n), strings.Repeat("-", width-n), p.Percent, p.StrokesDone, p.Strokes, clockString(left), unit, state)
		fmt.Fprintf(b.w, "\r%-100.100s", line)
		b.lastDraw, b.lastState, b.drawn = time.Now(), p.State, true
		return
	}
	tenth := int(p.Percent / 10)
	if p.State == b.lastState && tenth == b.lastTenth || p.State == robot.StateConnecting || p.State == robot.StateStopped {
		return // the error, if any, says why it stopped
	}
	b.lastState, b.lastTenth = p.State, tenth
	fmt.Fprintf(b.w, "plot: %3.0f%%  strokes %d/%d  %s %s  %s\n", p.Percent, p.StrokesDone, p.Strokes, clockString(left), unit, state)
}

// finish ends the bar's line on a terminal, so what follows starts on a
// line of its own.
func (b *progressBar) finish() {
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}

// plotKeys reads stdin while the robot draws. At a terminal, Enter pauses
// (the pen lifts after the current move) and Enter again resumes; at a pen
// change (--pens) Enter resumes, once the new pen is in. Without a
// terminal, only with --pens: each line read answers the next pen change,
// so that a script can pipe newlines. When stdin ends, a pen change pending
// or still to come stops the plot (never a hang).
type plotKeys struct {
	env  *Env
	pens bool
	tty  bool
	// asked receives each pen change as it is reached (from the driver's
	// goroutine; never blocks).
	asked chan robot.Pen
	last  int // motion index of the last pen change seen, +1

	mu     sync.Mutex
	failed error
}

func newPlotKeys(env *Env, pens bool) *plotKeys {
	return &plotKeys{env: env, pens: pens, tty: isTerminal(env.Stdin), asked: make(chan robot.Pen, 1)}
}

// progress notes a pen change reached: it tells the user which pen to put
// in.
func (k *plotKeys) progress(p robot.Progress) {
	if p.PenChange == nil || p.State != robot.StatePaused || p.Motion+1 == k.last {
		return
	}
	k.last = p.Motion + 1
	fmt.Fprintf(k.env.Stderr, "\nplot: Put the %s pen (%s) in, then press Enter\n", p.PenChange.Name, p.PenChange.Hex())
	select {
	case k.asked <- *p.PenChange:
	default:
	}
}

// err returns why the keys stopped the plot, or nil.
func (k *plotKeys) err() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.failed
}

// start listens to stdin for drv; stop ends the plot (stdin ended at a pen
// change). It returns a function that stops listening.
func (k *plotKeys) start(drv robot.Plotter, stop context.CancelFunc) func() {
	if !k.tty && !k.pens {
		return func() {}
	}
	if k.tty {
		fmt.Fprintln(k.env.Stderr, "press Enter to pause (the pen lifts after the current move) and Enter again to resume; Ctrl-C stops")
	}
	done := make(chan struct{})
	lines := make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(k.env.Stdin)
		for sc.Scan() {
			select {
			case lines <- struct{}{}:
			case <-done:
				return
			}
		}
	}()
	go func() {
		var pending *robot.Pen // a pen change waiting for its line
		paused := false        // the user paused with Enter (terminal)
		queued := 0            // lines read ahead of pen changes (no terminal)
		ended := false
		fail := func(p robot.Pen) {
			k.mu.Lock()
			k.failed = fmt.Errorf("stdin ended while waiting for the %s pen (%s): stopped with the pen lifted", p.Name, p.Hex())
			k.mu.Unlock()
			stop()
		}
		for {
			select {
			case <-done:
				return
			case p := <-k.asked:
				switch {
				case !k.tty && queued > 0:
					queued--
					drv.Resume()
				case ended:
					fail(p)
					return
				default:
					pending = &p
				}
			case _, ok := <-lines:
				switch {
				case !ok:
					lines, ended = nil, true
					if pending != nil {
						fail(*pending)
						return
					}
				case pending != nil:
					pending, paused = nil, false
					drv.Resume()
				case !k.tty:
					queued++
				case paused:
					paused = false
					drv.Resume()
				default:
					paused = true
					drv.Pause()
				}
			}
		}
	}()
	return func() { close(done) }
}
