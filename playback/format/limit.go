package format

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"mbotdraw/playback"
)

// Size limits. A file far larger than any drawing would take the
// computer's memory (about twice the file's size for the drawing, on top
// of the file), so loading refuses a drawing over the limits before it has
// read much of it:
//
//   - points: at most Options.MaxPoints (DefaultMaxPoints) in one drawing,
//     and in all the drawings of a file together when all are loaded
//     (LoadAll, Decode, a gallery);
//   - bytes: at most BytesPerPoint bytes of file per point allowed: the
//     whole file, or for Quick, Draw! ndjson, which holds many drawings one
//     a line, each line.
//
// The error says the limit and names the flag that raises it
// (--max-points); it wraps ErrTooBig.
const (
	// DefaultMaxPoints is the most points a drawing may have when
	// Options.MaxPoints is 0: about 60 MB of points in memory.
	DefaultMaxPoints = 5_000_000
	// BytesPerPoint is how many bytes of file a drawing may take for each
	// point it may have: 160 MB with DefaultMaxPoints. Drawing files take
	// 5–40 bytes a point.
	BytesPerPoint = 32
)

// ErrTooBig is the error (wrapped in *Error) for a drawing over the size
// limits of Options.MaxPoints.
var ErrTooBig = errors.New("too big")

func (o Options) maxPoints() int {
	if o.MaxPoints <= 0 {
		return DefaultMaxPoints
	}
	return o.MaxPoints
}

func (o Options) maxBytes() int64 { return int64(o.maxPoints()) * BytesPerPoint }

// errTooManyPoints says that a drawing has more than max points.
func errTooManyPoints(max int) error {
	return fmt.Errorf("the drawing is %w: it has more than %s points, the limit (raise it with --max-points)", ErrTooBig, thousands(int64(max)))
}

// errTooManyBytes says that what (the file, a line) is more than the byte
// limit of o.
func errTooManyBytes(what string, size int64, o Options) error {
	return fmt.Errorf("the drawing is %w: %s is %s, more than the %s allowed for a drawing of up to %s points (raise the limit with --max-points)",
		ErrTooBig, what, megabytes(size), megabytes(o.maxBytes()), thousands(int64(o.maxPoints())))
}

// checkPoints fails when the drawings have more than o's points limit
// together.
func checkPoints(ds []*playback.Drawing, o Options) error {
	n := 0
	for _, d := range ds {
		n += d.NumPoints()
	}
	if n > o.maxPoints() {
		return errTooManyPoints(o.maxPoints())
	}
	return nil
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// megabytes writes a size in bytes as whole megabytes (10^6 bytes), or
// with one decimal below 10 MB.
func megabytes(n int64) string {
	if n < 10_000_000 {
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt((n+500_000)/1_000_000, 10) + " MB"
}

// readFile reads a drawing file, naming it in the error. A file that is
// not Quick, Draw! ndjson (one drawing a line, each line checked as it is
// read) must be within o's byte limit; the limit is checked before the
// file is read.
func readFile(path string, o Options) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, noPlace(path, pathCause(err))
	}
	defer f.Close()
	var size int64 = -1
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	head := make([]byte, sniffWindow)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, noPlace(path, pathCause(err))
	}
	head = head[:n]
	limit := int64(-1)
	if Sniff(path, head) != QuickDraw {
		limit = o.maxBytes()
		if size > limit {
			return nil, noPlace(path, errTooManyBytes("the file", size, o))
		}
	}
	if n < sniffWindow {
		return head, nil
	}
	// Read the rest into one buffer of the file's size (a file that grows
	// meanwhile grows it), so the file is in memory once.
	capacity := int64(2 * sniffWindow)
	if size > capacity {
		capacity = size + 1 // +1: reading to the end needs room for EOF
	}
	data := make([]byte, n, capacity)
	copy(data, head)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		m, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+m]
		if limit >= 0 && int64(len(data)) > limit {
			return nil, noPlace(path, errTooManyBytes("the file", int64(len(data)), o))
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, noPlace(path, pathCause(err))
		}
	}
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
