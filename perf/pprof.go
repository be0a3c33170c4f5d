package perf

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
)

// CPUProfile records a pprof CPU profile in memory, so that the command can
// write it atomically at the end of the run (--cpuprofile). A profile of a
// ten-minute run takes a few MB.
type CPUProfile struct {
	buf     bytes.Buffer
	stopped bool
}

// StartCPUProfile starts the runtime's CPU profiler. Only one can run at a
// time in a process.
func StartCPUProfile() (*CPUProfile, error) {
	c := &CPUProfile{}
	if err := pprof.StartCPUProfile(&c.buf); err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return c, nil
}

// Stop ends the profile (once; later calls do nothing).
func (c *CPUProfile) Stop() {
	if !c.stopped {
		pprof.StopCPUProfile()
		c.stopped = true
	}
}

// WriteTo stops the profile and writes it in pprof format.
func (c *CPUProfile) WriteTo(w io.Writer) (int64, error) {
	c.Stop()
	return bytes.NewReader(c.buf.Bytes()).WriteTo(w)
}

// WriteHeapProfile runs a garbage collection, so the profile shows live
// memory, and writes a pprof heap profile (--memprofile).
func WriteHeapProfile(w io.Writer) error {
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(w, 0); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}
