//go:build !unix

package bridge

import (
	"os"
	"syscall"
)

// Elsewhere (Windows, and the browser build, where the bridge's tests only
// compile for go vet) a process is killed alone and socket buffers keep
// their size.

func ownProcessGroup() *syscall.SysProcAttr { return nil }

func killProcessGroup(p *os.Process) { _ = p.Kill() }

func smallReceiveBuffer(fd uintptr, n int) {}
