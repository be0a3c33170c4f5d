package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"mbotdraw/assets/player"
	"mbotdraw/bridge"
)

// runServe serves the browser player, so that Chromebooks and tablets play
// drawings from http://THIS-PC:8765/ without installing anything.
func runServe(env *Env, args []string) error {
	fs := newFlags(env, "serve")
	listen := fs.String("listen", "127.0.0.1:8765", "address to listen on; beyond loopback (such as 0.0.0.0:8765) it needs --token")
	token := fs.String("token", "", "secret the page's address must carry (http://HOST:PORT/?token=T)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	if err := bridge.CheckListen(*listen, *token); err != nil {
		return usagef("serve: %v", err)
	}
	if err := player.Built(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := bridge.Listen(*listen, *token)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(env.Stdout, "serve: the player is at %s (%.1f MB to download); Ctrl-C stops it\n",
		pageURL(ln.Addr().String(), *token), float64(player.WasmSize())/1e6)
	srv := &http.Server{Handler: bridge.Guard(*token, player.Handler()), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-env.Ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// pageURL is the address a browser opens to play.
func pageURL(addr, token string) string {
	u := "http://" + addr + "/"
	if token != "" {
		u += "?token=" + token
	}
	return u
}
