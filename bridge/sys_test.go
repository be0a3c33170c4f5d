//go:build !js

package bridge

import "syscall"

// ownProcessGroup starts a process in its own group, so that its helper
// processes can be ended with it (syscall.Kill of the negative pid).
func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// smallReceiveBuffer makes a socket's receive buffer n bytes.
func smallReceiveBuffer(fd uintptr, n int) {
	_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
