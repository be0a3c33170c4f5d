package bridge

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// startRSSWatch samples this process's resident memory every 100 ms until
// the function it returns is called, which returns the peak in MB (0 where
// /proc is not there).
func startRSSWatch() func() float64 {
	stop, done := make(chan struct{}), make(chan float64)
	go func() {
		peak := rssMB()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, rssMB())
				return
			case <-t.C:
				peak = max(peak, rssMB())
			}
		}
	}()
	return func() float64 { close(stop); return <-done }
}

// rssMB reads VmRSS from /proc/self/status, in MB.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	i := bytes.Index(b, []byte("VmRSS:"))
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+len("VmRSS:"):])
	if len(f) == 0 {
		return 0
	}
	kb, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil {
		return 0
	}
	return kb / 1024
}
