package link

import "io"

type noLock struct{}

func (noLock) Close() error { return nil }

// lockPort does nothing on Windows, where a COM port is exclusive already.
func lockPort(path string) (io.Closer, error) { return noLock{}, nil }

func isNoDevice(err error) bool { return false }
