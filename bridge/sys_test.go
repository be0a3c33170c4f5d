//go:build unix

package bridge

import (
	"os"
	"syscall"
)

// ownProcessGroup starts a process in its own group, so that its helper
// processes can be ended with it (killProcessGroup).
func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killProcessGroup kills p and the processes of its group.
func killProcessGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }

// smallReceiveBuffer makes a socket's receive buffer n bytes.
func smallReceiveBuffer(fd uintptr, n int) {
	_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
