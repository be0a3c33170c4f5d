package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"mbotdraw/assets/player"
	"mbotdraw/bridge"
	"mbotdraw/perf"
	"mbotdraw/robot"
)

// runBridge shares the robot plugged into this computer over WebSocket.
func runBridge(env *Env, args []string) error {
	fs := newFlags(env, "bridge")
	rf := addRobotFlags(fs, "; here sim, serial:PORT or hid:DEV only: the robot plugged into this computer", "")
	spec := rf.spec
	listen := fs.String("listen", "127.0.0.1:8765", "address to listen on; beyond loopback (such as 0.0.0.0:8765) it needs --token")
	token := fs.String("token", "", "secret that clients must send (Authorization: Bearer T, or ws://…/robot?token=T)")
	servePlayer := fs.Bool("serve-player", false, "also serve the browser player at http://ADDR/ (see serve)")
	profile := fs.String("profile", "default", "performance profile: default, aggressive or conservative (conservative turns compression off)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	switch {
	case *spec == "":
		return usagef("bridge: --robot is missing (sim or serial:PORT)")
	case bridge.IsURL(*spec):
		return usagef("bridge: --robot %s is another bridge; give the robot plugged into this computer (sim or serial:PORT)", *spec)
	}
	if err := bridge.CheckListen(*listen, *token); err != nil {
		return usagef("bridge: %v", err)
	}
	prof, err := perf.ProfileByName(*profile)
	if err != nil {
		return usagef("bridge: --profile: %v", err)
	}
	var pages http.Handler
	if *servePlayer {
		if err := player.Built(); err != nil {
			return fmt.Errorf("bridge: --serve-player: %w", err)
		}
		pages = player.Handler()
	}
	k, cal, err := rf.settings()
	if err != nil {
		return err
	}
	rc, err := openRobot(*spec, cal, robot.Pose{}, k, env.Stderr, "bridge")
	if err != nil {
		return err
	}
	defer rc.Close()
	r := bridge.NewDriverRobot(rc.Dial(), cal, bridge.DriverRobotOptions{TimeScale: rc.TimeScale(), Clock: rc.Clock()})
	defer r.Close()
	cctx, cancel := context.WithTimeout(env.Ctx, 15*time.Second)
	err = r.Connect(cctx)
	cancel()
	if err != nil {
		return fmt.Errorf("bridge: robot %s: %w", *spec, err)
	}
	ln, err := bridge.Listen(*listen, *token)
	if err != nil {
		return fmt.Errorf("bridge: %w", err)
	}
	logf := func(format string, a ...any) { fmt.Fprintf(env.Stderr, "bridge: "+format+"\n", a...) }
	srv := bridge.New(r, bridge.Options{Token: *token, Pages: pages, Compression: bridge.Compression{Off: !prof.Compression}, Logf: logf})
	fmt.Fprintf(env.Stdout, "bridge: robot %s on ws://%s/robot (profile %s); Ctrl-C stops it with the pen lifted\n",
		*spec, ln.Addr(), prof.Name)
	if pages != nil {
		fmt.Fprintf(env.Stdout, "bridge: the player is at %s\n", pageURL(ln.Addr().String(), *token))
	}
	err = srv.Serve(env.Ctx, ln)
	st := srv.Stats()
	fmt.Fprintf(env.Stdout, "bridge: stopped; %d connections, %d messages in, %d out, round trip p99 %.2f ms\n",
		st.Accepted, st.MessagesIn, st.MessagesOut, st.RTT.P99)
	refused := st.Unauthorized + st.Forbidden + st.Refused + st.RefusedAddr + st.RefusedEarly
	if closed := st.ClosedSlow + st.ClosedAbuse + st.ClosedTooBig; refused+closed > 0 {
		fmt.Fprintf(env.Stdout, "bridge: %d connections refused (wrong token, foreign page, too many), %d closed for not reading, flooding or sending too much\n",
			refused, closed)
	}
	return err
}
