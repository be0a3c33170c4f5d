package folder

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"
)

// UserDirs reads a freedesktop user-dirs.dirs file: lines
// XDG_NAME_DIR="$HOME/Folder" or ="/absolute/path", '#' comments. It
// returns each name's absolute path, $HOME replaced by home; a value that
// is neither absolute nor under $HOME, or not quoted, is left out (as
// xdg-user-dirs does).
func UserDirs(data []byte, home string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "XDG_") || !strings.HasSuffix(name, "_DIR") {
			continue
		}
		if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
			continue
		}
		val = unescape(val[1 : len(val)-1])
		switch {
		case val == "$HOME" || strings.HasPrefix(val, "$HOME/"):
			val = filepath.Join(home, filepath.FromSlash(strings.TrimPrefix(val, "$HOME")))
		case !strings.HasPrefix(val, "/"):
			continue
		}
		out[name] = filepath.Clean(val)
	}
	return out
}

// unescape undoes the shell escapes user-dirs.dirs may hold (\" \\ \$ \`).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
