package player

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, path string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body: %v", err)
		}
	}
	return b
}

// The page goes out gzip-compressed to a browser, plain to a client that
// does not take gzip, with the same bytes and a content type the browser
// needs (application/wasm for instantiateStreaming).
func TestServesThePage(t *testing.T) {
	want, err := fs.ReadFile(web, "web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, accept, wantEnc string
	}{
		{"/", "gzip, deflate, br", "gzip"},
		{"/index.html", "gzip", "gzip"},
		{"/", "", ""},
		{"/", "gzip;q=0, identity", ""},
	} {
		r := get(t, tc.path, map[string]string{"Accept-Encoding": tc.accept})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", tc.path, r.Status)
		}
		if got := r.Header.Get("Content-Encoding"); got != tc.wantEnc {
			t.Errorf("GET %s (Accept-Encoding %q): Content-Encoding %q, want %q", tc.path, tc.accept, got, tc.wantEnc)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", tc.path, ct)
		}
		if got := body(t, r); !bytes.Equal(got, want) {
			t.Errorf("GET %s (Accept-Encoding %q): %d bytes, not index.html's %d", tc.path, tc.accept, len(got), len(want))
		}
	}
}

// A browser that has the page revalidates it and gets 304 with no body; a
// changed file (another ETag) comes whole.
func TestRevalidates(t *testing.T) {
	r := get(t, "/", map[string]string{"Accept-Encoding": "gzip"})
	etag := r.Header.Get("ETag")
	if etag == "" || r.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET /: ETag %q, Cache-Control %q; want an ETag and no-cache", etag, r.Header.Get("Cache-Control"))
	}
	if r := get(t, "/", map[string]string{"If-None-Match": etag, "Accept-Encoding": "gzip"}); r.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with its ETag: %s, want 304", r.Status)
	}
	if r := get(t, "/", map[string]string{"If-None-Match": `"stale"`, "Accept-Encoding": "gzip"}); r.StatusCode != http.StatusOK {
		t.Errorf("GET / with another ETag: %s, want 200", r.Status)
	}
}

func TestRefusesOtherRequests(t *testing.T) {
	for _, path := range []string{"/../go.mod", "/web/index.html", "/player.go", "/mbotdraw.wasm.gz", "/favicon.ico"} {
		if r := get(t, path, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, r.Status)
		}
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", rec.Code)
	}
}

// Built says the player is missing exactly when make wasm has not put the
// program there, and then says how to build it.
func TestBuilt(t *testing.T) {
	_, errWasm := fs.Stat(web, "web/"+WasmName+".gz")
	_, errJS := fs.Stat(web, "web/wasm_exec.js")
	err := Built()
	if built := errWasm == nil && errJS == nil; built {
		if err != nil {
			t.Fatalf("Built() = %v with both files embedded", err)
		}
		r := get(t, "/"+WasmName, map[string]string{"Accept-Encoding": "gzip"})
		if r.Header.Get("Content-Type") != "application/wasm" || r.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET /%s: Content-Type %q, Content-Encoding %q", WasmName, r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"))
		}
		if b := body(t, r); !bytes.HasPrefix(b, []byte("\x00asm")) {
			t.Errorf("GET /%s: not WebAssembly (% x)", WasmName, b[:min(len(b), 8)])
		}
		return
	}
	if !errors.Is(err, ErrNotBuilt) || !strings.Contains(err.Error(), "make wasm") {
		t.Fatalf("Built() = %v without the program; want ErrNotBuilt saying make wasm", err)
	}
}
