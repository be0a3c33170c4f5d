package folder

import (
	"fmt"
	"os/exec"
	"runtime"
)

// Open shows dir in the desktop's file manager (xdg-open, explorer,
// open), without waiting for it.
func Open(dir string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("explorer", dir)
	case "darwin":
		cmd = exec.Command("open", dir)
	default:
		cmd = exec.Command("xdg-open", dir)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot open %s: %w", Display(dir), err)
	}
	go func() { _ = cmd.Wait() }() // reap it
	return nil
}
