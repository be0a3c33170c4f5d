package folder

// picturesOS: macOS has ~/Pictures, which Pictures falls back to.
func picturesOS() string { return "" }
