package perf

import (
	"runtime/metrics"
	"sync"
	"time"
)

// MemorySample is one reading of the Go runtime's memory, in MB (2^20 bytes).
type MemorySample struct {
	// Time of the reading.
	Time time.Time `json:"time"`
	// HeapMB is the heap held by objects, live or not yet swept
	// (/memory/classes/heap/objects:bytes).
	HeapMB float64 `json:"heap_mb"`
	// LiveHeapMB is the heap marked live by the last GC (/gc/heap/live:bytes):
	// the figure to watch for leaks, as it has no garbage sawtooth.
	LiveHeapMB float64 `json:"live_heap_mb"`
	// TotalMB is all memory the runtime has mapped and not returned to the
	// OS (/memory/classes/total:bytes minus heap/released): the runtime's
	// share of the process's resident memory.
	TotalMB float64 `json:"total_mb"`
	// GCCycles is the number of completed GC cycles (/gc/cycles/total).
	GCCycles uint64 `json:"gc_cycles"`
}

var memMetricNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/live:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/cycles/total:gc-cycles",
}

var memReader struct {
	sync.Mutex
	samples []metrics.Sample
}

// ReadMemory reads the runtime's memory figures (runtime/metrics: no
// stop-the-world, a few microseconds). Metrics the runtime lacks read as 0.
func ReadMemory() MemorySample {
	memReader.Lock()
	defer memReader.Unlock()
	if memReader.samples == nil {
		memReader.samples = make([]metrics.Sample, len(memMetricNames))
		for i, n := range memMetricNames {
			memReader.samples[i].Name = n
		}
	}
	s := memReader.samples
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	total, released := u(2), u(3)
	return MemorySample{
		Time:       time.Now(),
		HeapMB:     float64(u(0)) / mib,
		LiveHeapMB: float64(u(1)) / mib,
		TotalMB:    float64(total-min(total, released)) / mib,
		GCCycles:   u(4),
	}
}

// HeapMB returns the heap held by objects in MB: the trace's heap_mb counter.
func HeapMB() float64 { return ReadMemory().HeapMB }
