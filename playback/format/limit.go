package format

import (
	"errors"
	"fmt"
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

// megabytes writes a size in bytes: as bytes below a megabyte (10^6
// bytes), with one decimal below 10 MB, and as whole megabytes above.
func megabytes(n int64) string {
	switch {
	case n < 1_000_000:
		return thousands(n) + " bytes"
	case n < 10_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt((n+500_000)/1_000_000, 10) + " MB"
}
