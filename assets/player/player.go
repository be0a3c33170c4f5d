// Package player serves the browser build of mbotdraw: the page, Go's
// wasm_exec.js and the program compiled to WebAssembly (js/wasm), so that
// Chromebooks and tablets play drawings without installing anything.
//
// The files live in web/ and are built into the program with go:embed.
// index.html is in git; wasm_exec.js and mbotdraw.wasm.gz (the program,
// gzip-compressed) are made by `make wasm` and are not, so a program built
// from a fresh clone without `make wasm` has no player: Built reports that,
// and the commands that serve it say how to build it.
package player

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// WasmName is the program's name on the page (web/mbotdraw.wasm.gz, served
// as mbotdraw.wasm).
const WasmName = "mbotdraw.wasm"

// ErrNotBuilt says that this program was built without the browser player.
var ErrNotBuilt = fmt.Errorf("the browser player is not built into this program: run `make wasm` and build the program again")

// file is one served file, kept gzip-compressed.
type file struct {
	gz   []byte
	etag string
}

var (
	loadOnce sync.Once
	files    map[string]*file // by URL path, "/" for index.html
	loadErr  error
)

func loadEmbedded() { files, loadErr = load(web, "web") }

// load reads the files under root in fsys, keeping them gzip-compressed.
func load(fsys fs.FS, root string) (map[string]*file, error) {
	files := map[string]*file{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil && p == root && errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll // the browser build carries no player
		}
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := "/" + strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		if n, ok := strings.CutSuffix(name, ".gz"); ok {
			name = n
		} else {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		sum := sha256.Sum256(b)
		files[name] = &file{gz: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if f := files["/index.html"]; f != nil {
		files["/"] = f
	}
	return files, err
}

// Built reports whether the program carries the player (ErrNotBuilt if not).
func Built() error {
	loadOnce.Do(loadEmbedded)
	if loadErr != nil {
		return fmt.Errorf("player: %w", loadErr)
	}
	return complete(files)
}

func complete(files map[string]*file) error {
	for _, n := range []string{"/", "/wasm_exec.js", "/" + WasmName} {
		if files[n] == nil {
			return ErrNotBuilt
		}
	}
	return nil
}

// WasmSize returns the size of the gzip-compressed program in bytes (0 when
// not built).
func WasmSize() int {
	loadOnce.Do(loadEmbedded)
	if f := files["/"+WasmName]; f != nil {
		return len(f.gz)
	}
	return 0
}

// Handler serves the player's files at /, /index.html, /wasm_exec.js and
// /mbotdraw.wasm; anything else is 404. Files go out gzip-compressed to
// browsers that accept it (all of them), uncompressed otherwise. Each has an
// ETag, and Cache-Control: no-cache makes browsers revalidate it (a 304 with
// no body while it has not changed), so a rebuilt program is never stale.
// Handler checks nothing about who asks: wrap it (bridge.Guard) to do that.
func Handler() http.Handler {
	loadOnce.Do(loadEmbedded)
	return handler(files)
}

// HandlerFS serves the player from fsys laid out like web/ (index.html,
// wasm_exec.js, mbotdraw.wasm.gz), as Handler does; tests use it with a
// program they have just built.
func HandlerFS(fsys fs.FS) (http.Handler, error) {
	files, err := load(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("player: %w", err)
	}
	if err := complete(files); err != nil {
		return nil, err
	}
	return handler(files), nil
}

type handler map[string]*file

func (files handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := files[r.URL.Path]
	if f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	name := r.URL.Path
	if name == "/" {
		name = "/index.html"
	}
	if ct := contentType(name); ct != "" {
		h.Set("Content-Type", ct)
	}
	var body io.ReadSeeker = bytes.NewReader(f.gz)
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(f.gz))
		if err != nil {
			http.Error(w, "player: "+err.Error(), http.StatusInternalServerError)
			return
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			http.Error(w, "player: "+err.Error(), http.StatusInternalServerError)
			return
		}
		body = bytes.NewReader(b)
	}
	// A Range over gzip-encoded bytes would confuse a client: whole files only.
	r.Header.Del("Range")
	http.ServeContent(w, r, path.Base(name), time.Time{}, body)
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	}
	return ""
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// (without q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
