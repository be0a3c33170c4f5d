// Package window is mbotdraw's Ebiten game: it plays a drawing in a window.
package window

import (
	"errors"

	"mbotdraw/app/config"
)

// Run opens the window and returns when it closes.
func Run(cfg config.Window) error {
	return errors.New("window: not built yet")
}
