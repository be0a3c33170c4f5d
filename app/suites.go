package app

// Benchmark suites: `mbotdraw bench --suite NAME|all`.
//
// Each suite is a perf.Suite of tests with a maximum duration per operation
// and/or a minimum rate; perf.RunSuites picks each test's operation count
// so that it runs about --bench-time, prints one Go benchmark line per run
// (so that two runs compare with benchstat) and a table with each test's
// limits and verdict. A missed limit fails the command (exit status 1)
// after the whole table is printed.
//
// The suites:
//
//	render          tessellate, rasterize, one incremental frame of a
//	                10,000-stroke drawing at 1920x1080
//	memory          quantized point storage (perf.QuantizedXY) of that
//	                drawing, and the frame-buffer pool (perf.RGBAPool)
//	websocket       round trips through the robot bridge (package bridge)
//	                over loopback: a JSON ping, and a batch of moves to its ack
//	robot-planning  robot.NewPlan on generated drawings of 1,000 (with
//	                2-opt), 10,000 and 100,000 strokes
//	perf            the performance system's own overhead (perf.PerfSuite)
//
// Limits are set with room for a shared 2-core machine: they catch a
// regression of several times, not a few percent (benchstat is for that).
//
// The drawings are generated once per process and shared; set-up is outside
// the timed part.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge"
	"mbotdraw/bridge/wire"
	"mbotdraw/canvas"
	"mbotdraw/perf"
	"mbotdraw/playback"
	"mbotdraw/robot"
)

// Limits of the suites' tests.
const (
	// suiteFrames is the frames one playback of the 10,000-stroke drawing
	// takes in the render suite: 10 s at 60 fps, as `bench` plays it.
	suiteFrames = 600
)

// suiteDrawings generates each drawing the suites use once per process.
var suiteDrawings struct {
	sync.Mutex
	m map[int]*playback.Drawing
}

// suiteDrawing returns the generated drawing of n strokes (seed 1, on a
// 1920x1080 canvas).
func suiteDrawing(n int) *playback.Drawing {
	suiteDrawings.Lock()
	defer suiteDrawings.Unlock()
	if d := suiteDrawings.m[n]; d != nil {
		return d
	}
	if suiteDrawings.m == nil {
		suiteDrawings.m = map[int]*playback.Drawing{}
	}
	d := playback.Generate(playback.GenOptions{Strokes: n, Seed: 1, Width: canvas.DefaultWidth, Height: canvas.DefaultHeight})
	suiteDrawings.m[n] = d
	return d
}

// benchSuites returns the registry of every suite.
func benchSuites() (*perf.Suites, error) {
	var r perf.Suites
	for _, s := range []perf.Suite{renderSuite(), memorySuite(), websocketSuite(), planningSuite(), perf.PerfSuite()} {
		if err := r.Register(s); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// suiteNames lists the suites' names, sorted.
func suiteNames() []string {
	r, err := benchSuites()
	if err != nil {
		return nil
	}
	return r.Names()
}

// runSuiteCmd is `bench --suite NAME`: it runs the suites, prints their
// benchmark lines and table, writes the JSON report if asked, and fails
// when a test missed a limit.
func runSuiteCmd(env *Env, name string, benchTime time.Duration, count int, jsonOut string) error {
	if benchTime <= 0 || benchTime > time.Hour {
		return usagef("--bench-time %v: want a positive duration up to 1h, like 1s", benchTime)
	}
	if count < 1 || count > 1000 {
		return usagef("--count %d: want 1 to 1000", count)
	}
	reg, err := benchSuites()
	if err != nil {
		return err
	}
	suites, err := reg.Select(name)
	if err != nil {
		return usagef("--suite: %v", err)
	}
	if err := checkOutputDir(jsonOut); err != nil {
		return err
	}
	rep, err := perf.RunSuites(env.Ctx, env.Stdout, suites, perf.RunOptions{BenchTime: benchTime, Count: count})
	if err != nil {
		return fmt.Errorf("suite %s: %w", name, err)
	}
	if jsonOut != "" {
		if err := writeJSON(jsonOut, rep); err != nil {
			return err
		}
	}
	return rep.Err()
}

// renderSuite measures the renderer's hot paths on the 10,000-stroke drawing.
func renderSuite() perf.Suite {
	return perf.Suite{Name: "render", Doc: "stroke tessellation, rasterization and incremental frames", Tests: []perf.SuiteTest{
		{Name: "tessellate", MaxDuration: 100 * time.Microsecond, MinRate: 10_000, Run: func(b *perf.SuiteB) error {
			// One stroke (about 30 points) into GPU batches, per operation.
			d := suiteDrawing(10000)
			var tess canvas.Tessellator
			tess.Fit = canvas.FitTo(d, canvas.DefaultWidth, canvas.DefaultHeight)
			bt := &canvas.Batcher{Flush: func(*canvas.Batch) {}}
			b.SetItems(1)
			b.ResetTimer()
			for i := range b.N {
				s := i % len(d.Strokes)
				st := d.Strokes[s]
				if _, _, _, _, ok := tess.Prepare(d, canvas.Piece{Stroke: s, First: st.Start, Last: st.End - 1, Cap: true}); ok {
					bt.SetColor(tess.Color())
					tess.Emit(bt)
				}
			}
			bt.Finish()
			return nil
		}},
		{Name: "rasterize", MaxDuration: 250 * time.Microsecond, MinRate: 4_000, Run: func(b *perf.SuiteB) error {
			// One stroke tessellated, rasterized with anti-aliasing and
			// composited into a 1920x1080 image, per operation.
			d := suiteDrawing(10000)
			img := image.NewRGBA(image.Rect(0, 0, canvas.DefaultWidth, canvas.DefaultHeight))
			var tess canvas.Tessellator
			tess.Fit = canvas.FitTo(d, canvas.DefaultWidth, canvas.DefaultHeight)
			var ras canvas.Raster
			b.SetItems(1)
			b.ResetTimer()
			for i := range b.N {
				s := i % len(d.Strokes)
				st := d.Strokes[s]
				if x0, y0, x1, y1, ok := tess.Prepare(d, canvas.Piece{Stroke: s, First: st.Start, Last: st.End - 1, Cap: true}); ok {
					ras.Fill(img, img.Rect, &tess, x0, y0, x1, y1)
				}
			}
			return nil
		}},
		{Name: "incremental-frame-10k", MaxDuration: 4 * time.Millisecond, MinRate: 250, Run: func(b *perf.SuiteB) error {
			// One frame of the 10,000-stroke drawing played over 10 s at
			// 60 fps (about 17 new strokes a frame), composed whole at
			// 1920x1080; the playback loops.
			d := suiteDrawing(10000)
			tm, err := playback.NewTiming(d, playback.Pacing{})
			if err != nil {
				return err
			}
			r := canvas.NewRenderer(d, canvas.Options{KeyframeDiskBudget: -1})
			defer r.Close()
			c := playback.NewCursor(tm)
			b.ResetTimer()
			for i := range b.N {
				f := i % suiteFrames
				if f == 0 && i > 0 {
					b.StopTimer()
					c.Reset()
					r.Render(c.Advance(0).To)
					b.StartTimer()
				}
				r.Render(c.Advance(tm.Duration() * float64(f+1) / suiteFrames).To)
			}
			return nil
		}},
	}}
}

// memorySuite measures quantized point storage and the frame-buffer pool.
func memorySuite() perf.Suite {
	return perf.Suite{Name: "memory", Doc: "quantized points and pooled frame buffers", Tests: []perf.SuiteTest{
		{Name: "quantize-points-10k", MinRate: 5e6, Run: func(b *perf.SuiteB) error {
			// The 10,000-stroke drawing's points (about 300,000) into
			// 1/16-pixel fixed point, per operation; reports the bytes a
			// point takes, against 8 for float32 pairs.
			d := suiteDrawing(10000)
			var q perf.QuantizedXY
			q.Grow(d.NumPoints())
			b.SetItems(float64(d.NumPoints()))
			b.ResetTimer()
			for range b.N {
				q.Reset()
				if err := q.AppendXY(d.XY); err != nil {
					return err
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(q.Bytes())/float64(max(1, q.Len())), "B/point")
			return nil
		}},
		{Name: "decode-points-10k", MinRate: 5e6, Run: func(b *perf.SuiteB) error {
			// The quantized points back to float32 pairs, per operation.
			d := suiteDrawing(10000)
			var q perf.QuantizedXY
			if err := q.AppendXY(d.XY); err != nil {
				return err
			}
			dst := make([]float32, 0, len(d.XY))
			b.SetItems(float64(q.Len()))
			b.ResetTimer()
			for range b.N {
				dst = q.Decode(dst[:0])
			}
			if len(dst) != len(d.XY) {
				return fmt.Errorf("decoded %d coordinates, want %d", len(dst), len(d.XY))
			}
			return nil
		}},
		{Name: "frame-pool-1080p", MaxDuration: 5 * time.Millisecond, Run: func(b *perf.SuiteB) error {
			// A cleared 1920x1080 frame from the pool and back, per
			// operation (keyframes and composed frames are this size).
			var pool perf.RGBAPool
			pool.Put(pool.Get(canvas.DefaultWidth, canvas.DefaultHeight))
			b.SetBytes(4 * canvas.DefaultWidth * canvas.DefaultHeight)
			b.ResetTimer()
			for range b.N {
				img := pool.Get(canvas.DefaultWidth, canvas.DefaultHeight)
				img.Pix[len(img.Pix)-1] = 1
				pool.Put(img)
			}
			return nil
		}},
	}}
}

// planningSuite measures robot.NewPlan on generated drawings.
func planningSuite() perf.Suite {
	plan := func(strokes int, o robot.PlanOptions) func(b *perf.SuiteB) error {
		return func(b *perf.SuiteB) error {
			d := suiteDrawing(strokes)
			b.SetItems(float64(strokes))
			b.ResetTimer()
			for range b.N {
				p, err := robot.NewPlan(d, o)
				if err != nil {
					return err
				}
				if len(p.Paths) == 0 {
					return errors.New("the plan has no paths")
				}
			}
			return nil
		}
	}
	return perf.Suite{Name: "robot-planning", Doc: "fit, simplify, merge and order a drawing for the robot", Tests: []perf.SuiteTest{
		{Name: "plan-1k-2opt", MaxDuration: 500 * time.Millisecond, MinRate: 2_000, Run: plan(1000, robot.PlanOptions{TwoOpt: true})},
		{Name: "plan-10k", MaxDuration: 500 * time.Millisecond, MinRate: 20_000, Run: plan(10000, robot.PlanOptions{})},
		{Name: "plan-100k", MaxDuration: time.Second, MinRate: 100_000, Run: plan(100000, robot.PlanOptions{})},
	}}
}

// websocketSuite measures round trips through the robot bridge on loopback,
// against a robot that draws instantly.
func websocketSuite() perf.Suite {
	return perf.Suite{Name: "websocket", Doc: "round trips through the robot bridge over loopback", Tests: []perf.SuiteTest{
		{Name: "ping-rtt", MaxDuration: 5 * time.Millisecond, MinRate: 200, Run: func(b *perf.SuiteB) error {
			// A JSON ping to its pong, per operation; reports the p99.
			return withBridge(b, func(c *wsClient) error {
				var h perf.Histogram
				b.ResetTimer()
				for i := range b.N {
					start := time.Now()
					if err := c.send(wire.Message{Type: wire.TypePing, ID: uint64(i + 1)}); err != nil {
						return err
					}
					if _, err := c.await(wire.TypePong, uint64(i+1)); err != nil {
						return err
					}
					h.Record(time.Since(start))
				}
				b.StopTimer()
				b.ReportMetric(float64(h.Quantile(0.99))/1e6, "p99-ms")
				return nil
			})
		}},
		{Name: "moves-ack-16", MaxDuration: 5 * time.Millisecond, MinRate: 3_200, Run: func(b *perf.SuiteB) error {
			// A batch of 16 moves to its ack, per operation; the rate
			// counts moves. A new job every 10,000 batches keeps the
			// bridge's per-job bound out of the way.
			moves := make([]wire.Move, 0, 16)
			for i := range 16 {
				switch i % 4 {
				case 0:
					moves = append(moves, wire.Move{Kind: wire.PenDown})
				case 1:
					moves = append(moves, wire.Move{Kind: wire.Drive, Value: 10})
				case 2:
					moves = append(moves, wire.Move{Kind: wire.Turn, Value: 90})
				default:
					moves = append(moves, wire.Move{Kind: wire.PenUp})
				}
			}
			return withBridge(b, func(c *wsClient) error {
				var h perf.Histogram
				b.SetItems(float64(len(moves)))
				if err := c.hello(); err != nil {
					return err
				}
				b.ResetTimer()
				for i := range b.N {
					if i > 0 && i%10000 == 0 {
						b.StopTimer()
						if err := c.hello(); err != nil {
							return err
						}
						b.StartTimer()
					}
					c.seq++
					start := time.Now()
					if err := c.send(wire.Message{Type: wire.TypeMoves, Seq: c.seq, Moves: moves}); err != nil {
						return err
					}
					if _, err := c.await(wire.TypeAck, c.seq); err != nil {
						return err
					}
					h.Record(time.Since(start))
				}
				b.StopTimer()
				b.ReportMetric(float64(h.Quantile(0.99))/1e6, "p99-ms")
				return nil
			})
		}},
	}}
}

// instantRobot is a bridge.Robot that draws every move at once and keeps
// nothing, so the websocket suite measures the WebSocket path only.
type instantRobot struct{}

func (instantRobot) Run(ctx context.Context, moves []wire.Move, report func(bridge.RobotEvent)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	report(bridge.RobotEvent{Done: len(moves)})
	return nil
}

func (instantRobot) Stop(context.Context) error { return nil }

// withBridge serves a robot bridge on a loopback port, connects one client
// to its /robot endpoint, runs fn, and shuts both down. The bridge's rate
// limit is lifted (the suite measures the path, not the limiter).
func withBridge(b *perf.SuiteB, fn func(c *wsClient) error) (err error) {
	b.StopTimer()
	defer b.StartTimer() // the runner stops the timer after Run returns
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	s := bridge.New(instantRobot{}, bridge.Options{Limits: bridge.Limits{Rate: 1e9, Burst: 1 << 30}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("websocket suite: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = s.Shutdown(sctx)
		cancel()
		<-served
	}()
	dialer := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, _, err := dialer.DialContext(ctx, "ws://"+ln.Addr().String()+"/robot", nil)
	if err != nil {
		return fmt.Errorf("websocket suite: dial the bridge: %w", err)
	}
	defer conn.Close()
	c := &wsClient{conn: conn}
	b.StartTimer()
	return fn(c)
}

// wsClient is the websocket suite's side of one bridge connection.
type wsClient struct {
	conn *websocket.Conn
	seq  uint64
	job  bool
	out  []byte
}

func (c *wsClient) send(m wire.Message) error {
	c.out = m.AppendJSON(c.out[:0])
	_ = c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.conn.WriteMessage(websocket.TextMessage, c.out); err != nil {
		return fmt.Errorf("websocket suite: send %s: %w", m.Type, err)
	}
	return nil
}

// await reads messages until one of type typ numbered n (ack: seq; pong:
// id; welcome: any), skipping the bridge's broadcasts (state, progress,
// queue); an error message fails.
func (c *wsClient) await(typ string, n uint64) (wire.Message, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return wire.Message{}, fmt.Errorf("websocket suite: waiting for %s: %w", typ, err)
		}
		m, err := wire.Decode(data)
		if err != nil {
			return wire.Message{}, fmt.Errorf("websocket suite: from the bridge: %w", err)
		}
		switch {
		case m.Type == wire.TypeError:
			return m, fmt.Errorf("websocket suite: the bridge says: %s", m.Message)
		case m.Type != typ:
		case typ == wire.TypePong && m.ID == n, typ == wire.TypeAck && m.Seq == n, typ != wire.TypePong && typ != wire.TypeAck:
			return m, nil
		}
	}
}

// hello starts a new job (a fresh secret key), cancelling the one before,
// and waits for its welcome.
func (c *wsClient) hello() error {
	if c.job {
		if err := c.send(wire.Message{Type: wire.TypeCancel}); err != nil {
			return err
		}
	}
	var key [16]byte
	_, _ = rand.Read(key[:])
	if err := c.send(wire.Message{Type: wire.TypeHello, Key: hex.EncodeToString(key[:])}); err != nil {
		return err
	}
	if _, err := c.await(wire.TypeWelcome, 0); err != nil {
		return err
	}
	c.seq, c.job = 0, true
	return nil
}

// suiteTestNames lists "suite/test" for every registered test (for tests
// and help).
func suiteTestNames(r *perf.Suites) []string {
	var out []string
	all, _ := r.Select("all")
	for _, s := range all {
		for _, t := range s.Tests {
			out = append(out, s.Name+"/"+t.Name)
		}
	}
	slices.Sort(out)
	return out
}
