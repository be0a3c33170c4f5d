package format

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"

	"mbotdraw/playback"
)

// source is a drawing file opened for loading: its first bytes read, to
// tell the format, and the rest still to read.
type source struct {
	path   string
	o      Options
	f      *os.File
	head   []byte // the first sniffWindow bytes (all of a shorter file)
	size   int64  // -1 when unknown (not a regular file)
	format Format
	limit  int64 // the most bytes to read; -1: no limit (ndjson, checked a line at a time)
}

// openSource opens a drawing file and reads its first bytes. A file that is
// not Quick, Draw! ndjson must be within o's byte limit, checked before it
// is read. The caller closes src.f.
func openSource(path string, o Options) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, noPlace(path, pathCause(err))
	}
	src := &source{path: path, o: o, f: f, size: -1, limit: -1}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		src.size = fi.Size()
	}
	head := make([]byte, sniffWindow)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		f.Close()
		return nil, noPlace(path, pathCause(err))
	}
	src.head = head[:n]
	src.format = Sniff(path, src.head)
	if c := codecOf(src.format); c == nil || !c.perLine {
		src.limit = o.maxBytes()
		if max(src.size, int64(n)) > src.limit {
			f.Close()
			return nil, noPlace(path, errTooManyBytes("the file", max(src.size, int64(n)), o))
		}
	}
	return src, nil
}

// whole reports whether the file has been read whole (it is shorter than
// the sniffing window).
func (src *source) whole() bool { return len(src.head) < sniffWindow }

// readAll reads the whole file into one buffer of the file's size, so that
// it is in memory once.
func (src *source) readAll() ([]byte, error) {
	if src.whole() {
		return src.head, nil
	}
	capacity := int64(2 * sniffWindow)
	if src.size >= capacity {
		capacity = src.size + 1 // +1: reading to the end needs room for EOF
	}
	data := make([]byte, len(src.head), capacity)
	copy(data, src.head)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		m, err := src.f.Read(data[len(data):cap(data)])
		data = data[:len(data)+m]
		if src.limit >= 0 && int64(len(data)) > src.limit {
			return nil, noPlace(src.path, errTooManyBytes("the file", int64(len(data)), src.o))
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, noPlace(src.path, pathCause(err))
		}
	}
}

// stream decodes the file as it reads it, where its format allows (SVG)
// and the file is long enough to matter. It reports false when it did not.
func (src *source) stream() (*playback.Drawing, bool, error) {
	c := codecOf(src.format)
	if src.whole() || c == nil || c.stream == nil || c.perLine || src.o.KeyID != "" || src.o.Index != 0 {
		return nil, false, nil
	}
	r := io.MultiReader(&byteReader{b: src.head}, io.LimitReader(src.f, src.limit-int64(len(src.head))))
	d, err := c.stream(src.path, bufio.NewReaderSize(r, 64<<10), src.o)
	return d, true, err
}

// quickDraw decodes a Quick, Draw! ndjson file a line at a time as it reads
// it, so that the file need not be in memory whole, when the file is that
// and long enough to matter (not one bare drawing array). It returns every
// drawing with all or Options.Gallery (then as the one gallery drawing),
// or the one chosen; with count, how many the file holds. It reports false
// when it did not decode.
func (src *source) quickDraw(all, count bool) ([]*playback.Drawing, int, bool, error) {
	head := bytes.TrimLeft(bytes.TrimPrefix(src.head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if src.whole() || src.format != QuickDraw || len(head) == 0 || head[0] == '[' {
		return nil, 0, false, nil
	}
	o := src.o
	sel := selectIndex
	switch {
	case all || o.Gallery:
		sel = selectAll
	case o.KeyID != "":
		sel = selectKey
	}
	r := io.MultiReader(&byteReader{b: src.head}, src.f)
	ds, n, err := readQuickDraw(src.path, r, src.size, o, sel, count)
	if err == nil && o.Gallery {
		ds = []*playback.Drawing{Gallery(ds)}
	}
	return ds, n, true, err
}

// byteReader reads b (bytes.Reader without its other methods, so that
// MultiReader reads it then the file).
type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// pathCause drops the file name of an *os.PathError (the caller names the
// file).
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
