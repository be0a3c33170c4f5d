package folder

import "golang.org/x/sys/windows"

// picturesOS asks the shell for the known folder FOLDERID_Pictures.
func picturesOS() string {
	p, err := windows.KnownFolderPath(windows.FOLDERID_Pictures, windows.KF_FLAG_DEFAULT)
	if err != nil {
		return ""
	}
	return p
}
