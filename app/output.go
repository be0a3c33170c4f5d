package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mbotdraw/atomicfile"
)

// writeFile writes an output file whole or not at all: write produces the
// content into a temporary file beside path, which replaces path only when
// write and the flush succeed. A failed write leaves no partial file and an
// existing file untouched. Every error names path: write's own errors are
// prefixed with "PATH: " unless they begin with it already. See package
// atomicfile.
func writeFile(path string, write func(w io.Writer) error) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		err := write(w)
		if err != nil && !strings.HasPrefix(err.Error(), path+": ") {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return err
	})
}

// checkOutputDir fails early, before a window opens or a long run starts,
// when an output file's folder does not exist ("": no file, no error).
func checkOutputDir(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("%s: folder %s does not exist", path, dir)
	}
	return nil
}

// parseSize reads "WxH" in pixels, each side from least to 16384.
func parseSize(s string, least int) (w, h int, err error) {
	a, b, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("want WIDTHxHEIGHT, like 1920x1080")
	}
	if w < least || h < least || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("each side must be from %d to 16384", least)
	}
	return w, h, nil
}

// plural counts things in words: "1 stroke", "2 strokes", "0 strokes".
// Every noun the commands count takes an s.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
