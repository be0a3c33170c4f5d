//go:build !unix

package format

import "time"

var processStart = time.Now()

// cpuTime stands in for the process's CPU time where rusage is missing: the
// wall time.
func cpuTime() time.Duration { return time.Since(processStart) }
