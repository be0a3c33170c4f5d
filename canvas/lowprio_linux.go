package canvas

import (
	"runtime"
	"syscall"
)

// lowPriority makes the calling goroutine's thread the least favoured
// (nice 19) and keeps the goroutine on it; the thread ends with the
// goroutine. Keyframe writes run so, and yield to the frame loop.
func lowPriority() {
	runtime.LockOSThread()
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
