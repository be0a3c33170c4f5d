//go:build !windows && !darwin

package folder

import (
	"os"
	"path/filepath"
)

// picturesOS reads XDG_PICTURES_DIR from user-dirs.dirs ("" when unset).
func picturesOS() string {
	if p := os.Getenv("XDG_PICTURES_DIR"); filepath.IsAbs(p) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(cfg) {
		cfg = filepath.Join(home, ".config")
	}
	data, err := os.ReadFile(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	return UserDirs(data, home)["XDG_PICTURES_DIR"]
}
