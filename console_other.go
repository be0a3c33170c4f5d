//go:build !windows

package main

// withConsole runs the program. Only on Windows is there a console to find.
func withConsole(run func() int) int { return run() }
