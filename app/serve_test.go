package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"mbotdraw/assets/player"
)

func TestServeRefusesTheNetworkWithoutToken(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8765", ":8765", "192.168.1.2:8765"} {
		var out, errb syncBuffer
		code := Run(&Env{Stdout: &out, Stderr: &errb}, []string{"serve", "--listen", addr})
		if code != 2 || !strings.Contains(errb.String(), "--token") {
			t.Errorf("serve --listen %s: exit %d, stderr %q; want 2 and a word about --token", addr, code, errb.String())
		}
	}
}

// serve prints the page's address and serves the player there until
// stopped; a program built without `make wasm` says so and how to fix it.
func TestServeServesThePlayer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(&Env{Ctx: ctx, Stdout: &out, Stderr: &errb}, []string{"serve", "--listen", "127.0.0.1:0"})
	}()
	if err := player.Built(); errors.Is(err, player.ErrNotBuilt) {
		if code := <-done; code != 1 || !strings.Contains(errb.String(), "make wasm") {
			t.Fatalf("serve without the player: exit %d, stderr %q; want 1 and how to build it", code, errb.String())
		}
		return
	}
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	var url string
	for deadline := time.Now().Add(60 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		url = re.FindString(out.String())
	}
	if url == "" {
		t.Fatalf("serve printed no address: stdout %q, stderr %q", out.String(), errb.String())
	}
	for _, path := range []string{"", player.WasmName, "wasm_exec.js"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n == 0 {
			t.Errorf("GET /%s: %s, %d bytes", path, resp.Status, n)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve stopped with exit %d, stderr %q", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop when cancelled")
	}
}
