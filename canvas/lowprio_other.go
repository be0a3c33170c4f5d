//go:build !linux

package canvas

// lowPriority does nothing where threads have no priority of their own.
func lowPriority() {}
