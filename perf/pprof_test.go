package perf

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
	"time"
)

// pprof files are gzip-compressed protocol buffers.
func isPprof(t *testing.T, b []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	if n, err := io.Copy(io.Discard, zr); err != nil || n == 0 {
		t.Fatalf("empty or corrupt profile: %d bytes, %v", n, err)
	}
}

func TestProfilesWritePprof(t *testing.T) {
	c, err := StartCPUProfile()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartCPUProfile(); err == nil {
		t.Error("a second CPU profile started")
	}
	var h Histogram
	for i := range 100000 {
		h.Record(time.Duration(i))
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	c.Stop() // again: harmless
	isPprof(t, buf.Bytes())
	buf.Reset()
	if err := WriteHeapProfile(&buf); err != nil {
		t.Fatal(err)
	}
	isPprof(t, buf.Bytes())
}
