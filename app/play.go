package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mbotdraw/app/config"
	"mbotdraw/app/folder"
	"mbotdraw/assets"
	"mbotdraw/bridge"
	"mbotdraw/canvas"
	"mbotdraw/perf"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// runPlay opens the window on FILE, or on the embedded demo without one.
//
// A Quick, Draw! file with many drawings opens as a gallery the user steps
// through (PageUp/PageDown); --index N opens only drawing N, and --gallery
// lays them all out in a grid as one drawing.
func runPlay(env *Env, args []string) error {
	fs := newFlags(env, "play")
	robotSpec := robotFlag(fs, "; R sends the drawing to it (default: the virtual mBot)")
	pens := fs.Bool("pens", false, "send drawings to the robot colour by colour: it stops before each new colour, pen lifted, until you put that pen in and press R (not over a bridge, ws://)")
	keepOrder := fs.Bool("keep-order", false, "send the strokes to the robot in the drawing's own order, as they were drawn (handwriting, kanji), not reordered to save travel")
	speed := fs.Float64("speed", 1, "starting playback speed, 0.25 to 16")
	profile := fs.String("profile", "default", "performance profile: default, aggressive or conservative (memory limit, anti-aliasing, optimizer thresholds)")
	trace := fs.String("trace", "", fmt.Sprintf("write a Chrome trace (Perfetto) of the frames to `OUT.json` when the window closes: a slice per frame and per phase (update, draw, bake, present), counters, instants; bounded: the last %d frames and %d other events", perf.DefaultTraceFrames, perf.DefaultTraceFrames*perf.DefaultTraceEventsPerFrame))
	traceCSV := fs.String("trace-csv", "", fmt.Sprintf("write one CSV row per frame to `OUT.csv` when the window closes (the last %d frames)", perf.DefaultTraceFrames))
	frames := fs.Int("frames", 0, "quit after `N` frames (0: run until closed)")
	screenshot := fs.String("screenshot", "", "save the last frame as `OUT.png` when the window closes")
	size := fs.String("size", "1280x800", "window size `WxH` in device-independent pixels")
	index := fs.Int("index", -1, "open only drawing `N` (from 0) of a many-drawing file")
	keyID := fs.String("key", "", "open only the Quick, Draw! drawing with this key_id")
	fs.StringVar(keyID, "key-id", "", "the same as --key")
	gallery := fs.Bool("gallery", false, "lay every drawing of a many-drawing file out in a grid, as one drawing")
	outDir := fs.String("save-dir", "", "`folder` for the pictures (S) and GIFs (G) saved from the window, created if missing (default: your Pictures folder's mbotdraw folder)")
	fs.StringVar(outDir, "out-dir", "", "the same as --save-dir")
	gifWidth := fs.Int("gif-width", canvas.GIFWidth, "width of the GIFs saved with G, in pixels (100 to 4096)")
	listen := fs.String("listen", "", "serve the live companion page on `ADDR` (like 127.0.0.1:8766), where a tablet watches, controls and draws; beyond loopback (0.0.0.0:8766) it needs --token")
	token := fs.String("token", "", "secret the companion page asks for (its address then ends in ?token=T)")
	verbose := fs.Bool("verbose", false, "say on the terminal what the window does behind the scenes (when it rests because nothing moves, and wakes)")
	maxPoints := addMaxPointsFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 1, "FILE"); err != nil {
		return err
	}
	if err := checkListenFlags(*listen, *token); err != nil {
		return err
	}
	if err := checkMaxPoints(*maxPoints); err != nil {
		return err
	}
	if env.Window == nil && env.NoDisplay != "" {
		return fmt.Errorf("the window cannot open: %s; the commands without a window work ('%s --help' lists them)", env.NoDisplay, env.Prog)
	}
	if env.Window == nil {
		return usagef("play needs a window: run it with %s, the window program (this is %s, which has none; 'export' renders without one)", "mbotdraw", env.Prog)
	}
	cfg := config.Window{
		Robot: *robotSpec, Pens: *pens, KeepOrder: *keepOrder, Speed: *speed, Profile: *profile,
		Trace: *trace, TraceCSV: *traceCSV, Frames: *frames, Screenshot: *screenshot,
		OutDir: *outDir, Listen: *listen, Token: *token, Verbose: *verbose, Done: env.Ctx.Done(),
		GIFWidth: *gifWidth,
	}
	if dir, err := folder.Config(); err == nil {
		cfg.Recent = filepath.Join(dir, "recent.json") // the Open card's recent drawings
	}
	if err := checkPlayFlags(&cfg, *size, *index, *keyID, *gallery); err != nil {
		return err
	}
	for _, p := range []string{cfg.Screenshot, cfg.Trace, cfg.TraceCSV} {
		if err := checkOutputDir(p); err != nil {
			return err
		}
	}
	if *gifWidth < 100 || *gifWidth > 4096 {
		return usagef("--gif-width %d: want 100 to 4096 pixels", *gifWidth)
	}
	if cfg.OutDir != "" {
		if st, err := os.Stat(cfg.OutDir); err == nil && !st.IsDir() {
			return fmt.Errorf("--save-dir %s: not a folder", cfg.OutDir)
		}
	}
	cfg.MaxPoints = *maxPoints
	opts := format.Options{Gallery: *gallery, KeyID: *keyID, MaxPoints: *maxPoints}
	if *index >= 0 {
		opts.Index = *index
	}
	var ds []*playback.Drawing
	switch {
	case len(pos) == 0:
		ds, err = format.Decode(assets.DemoName, assets.Demo(), opts)
	case *index >= 0 || *keyID != "":
		var d *playback.Drawing
		d, err = format.Load(pos[0], opts)
		ds = []*playback.Drawing{d}
		cfg.File = pos[0]
	default:
		ds, err = format.LoadAll(pos[0], opts)
		cfg.File = pos[0]
	}
	if err == nil && len(ds) == 0 {
		err = fmt.Errorf("%s: holds no drawing", pos[0])
	}
	if err != nil {
		if len(pos) == 0 {
			return err
		}
		return playUnopened(env, cfg, pos[0], err)
	}
	cfg.Drawing, cfg.Drawings = ds[0], ds
	return env.Window(cfg)
}

// playUnopened opens the window on the demo with the reason why file
// could not be opened, as for a file dropped on the window: the terminal
// gets the one-line error at once, and the exit status is 1 when the
// window closes.
func playUnopened(env *Env, cfg config.Window, file string, err error) error {
	fmt.Fprintf(env.Stderr, "%s: %s\n", env.Prog, oneLine(err.Error()))
	cfg.File, cfg.Unopened, cfg.OpenError = "", file, err
	if werr := env.Window(cfg); werr != nil {
		return werr
	}
	return reported{err}
}

// checkPlayFlags validates the flags that need no file and fills cfg's
// size.
func checkPlayFlags(cfg *config.Window, size string, index int, keyID string, gallery bool) error {
	if !(cfg.Speed >= playback.MinSpeed && cfg.Speed <= playback.MaxSpeed) {
		return usagef("--speed %v: want a speed from %v to %v", cfg.Speed, playback.MinSpeed, playback.MaxSpeed)
	}
	if cfg.Frames < 0 {
		return usagef("--frames %d: want 0 or more", cfg.Frames)
	}
	switch cfg.Profile {
	case "default", "aggressive", "conservative":
	default:
		return usagef("--profile %q: want default, aggressive or conservative", cfg.Profile)
	}
	if err := checkRobotFlag(cfg.Robot); err != nil {
		return err
	}
	w, h, err := parseSize(size, 64)
	if err != nil {
		return usagef("--size %q: %v", size, err)
	}
	cfg.Width, cfg.Height = w, h
	n := 0
	if index >= 0 {
		n++
	}
	if keyID != "" {
		n++
	}
	if gallery {
		n++
	}
	if n > 1 {
		return usagef("--index, --key and --gallery choose differently: give one of them")
	}
	return nil
}

// checkListenFlags checks --listen and --token before anything opens: an
// address beyond loopback without a token is refused (anyone on the
// network could otherwise drive the window and the robot).
func checkListenFlags(listen, token string) error {
	switch {
	case listen == "" && token != "":
		return usagef("--token is for the companion page: give --listen ADDR too")
	case listen == "":
		return nil
	}
	if err := bridge.CheckListen(listen, token); err != nil {
		return usagef("--listen: %v", err)
	}
	return nil
}

// checkRobotFlag checks the form of a --robot value; the link checks the
// rest when it connects.
func checkRobotFlag(r string) error {
	switch {
	case r == "", r == "sim":
		return nil
	case strings.HasPrefix(r, "serial:") && len(r) > len("serial:"):
		return nil
	case strings.HasPrefix(r, "ws://") || strings.HasPrefix(r, "wss://"):
		return nil
	}
	return usagef("--robot %q: want sim, serial:PORT or ws://HOST:PORT/robot", r)
}
