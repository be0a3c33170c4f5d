package mblock

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"testing"
)

// robotVectors are the robot→host vectors R1–R9 of mbot-protocol.md §7
// (ii = 0x07), with the reply each must parse to.
var robotVectors = []struct {
	name string
	hex  string
	want Reply
}{
	{"R1 ack", "ff 55 0d 0a", Reply{Kind: Ack}},
	{"R2 float 74.3793", "ff 55 07 02 35 c2 94 42 0d 0a", Reply{Kind: Value, Index: ii, Type: TypeFloat, Number: float64(math.Float32frombits(0x4294c235))}},
	{"R3 float 3.0", "ff 55 07 02 00 00 40 40 0d 0a", Reply{Kind: Value, Index: ii, Type: TypeFloat, Number: 3}},
	{"R4 version string", "ff 55 fa 04 09 30 36 2e 30 31 2e 31 30 37 0d 0a", Reply{Kind: Value, Index: 0xfa, Type: TypeString, Text: "06.01.107"}},
	{"R5 button pressed", "ff 55 80 01 01 0d 0a", Reply{Kind: Button, Index: ButtonIndex, Number: 1, Pressed: true}},
	{"R6 ultrasonic 400", "ff 55 00 02 00 00 c8 43 0d 0a", Reply{Kind: Value, Type: TypeFloat, Number: 400}},
	{"R7 float with 0d 0a inside", "ff 55 00 02 0d 0a 20 41 0d 0a", Reply{Kind: Value, Type: TypeFloat, Number: float64(math.Float32frombits(0x41200a0d))}},
	{"R8 boot banner", "56 65 72 73 69 6f 6e 3a 20 30 36 2e 30 31 2e 31 30 37 0d 0a", Reply{Kind: Banner, Text: "Version: 06.01.107"}},
	{"R9 GET with no data", "ff 55 07 0d 0a", Reply{Kind: Empty, Index: ii}},
	// The firmware's over-long payloads and the other types.
	{"short, 4 bytes as the firmware sends", "ff 55 03 03 fe ff 12 34 0d 0a", Reply{Kind: Value, Index: 3, Type: TypeShort, Number: -2}},
	{"short, garbage that reads 0d 0a", "ff 55 03 03 2a 00 0d 0a 0d 0a", Reply{Kind: Value, Index: 3, Type: TypeShort, Number: 42}},
	{"short, 2 bytes as hosts expect", "ff 55 03 03 2a 00 0d 0a ff 55 0d 0a", Reply{Kind: Value, Index: 3, Type: TypeShort, Number: 42}},
	{"double, 8 bytes", "ff 55 04 05 00 00 20 41 00 00 00 00 0d 0a", Reply{Kind: Value, Index: 4, Type: TypeDouble, Number: 10}},
	{"double, 8 bytes with 0d 0a in the padding", "ff 55 04 05 00 00 20 41 0d 0a 0d 0a 0d 0a", Reply{Kind: Value, Index: 4, Type: TypeDouble, Number: 10}},
	{"byte", "ff 55 09 01 01 0d 0a", Reply{Kind: Value, Index: 9, Type: TypeByte, Number: 1}},
	{"int32", "ff 55 09 06 ff ff ff ff 0d 0a", Reply{Kind: Value, Index: 9, Type: TypeInt32, Number: -1}},
	{"empty string", "ff 55 09 04 00 0d 0a", Reply{Kind: Value, Index: 9, Type: TypeString}},
	{"button released", "ff 55 80 01 00 0d 0a", Reply{Kind: Button, Index: ButtonIndex}},
}

// first returns the first reply of b fed whole and then flushed.
func parseAll(b []byte) ([]Reply, int64) {
	var p Parser
	out := p.Feed(b)
	out = append(out, p.Flush()...)
	return out, p.Garbage()
}

func TestRobotVectors(t *testing.T) {
	for _, v := range robotVectors {
		b := unhex(t, v.hex)
		got, _ := parseAll(b)
		if len(got) == 0 || !reflect.DeepEqual(got[0], v.want) {
			t.Errorf("%s: got %+v, want %+v first", v.name, got, v.want)
		}
	}
}

// TestRobotVectorsSplit feeds each vector in two reads, split at every byte
// position, and byte by byte; the result must not depend on the split.
func TestRobotVectorsSplit(t *testing.T) {
	for _, v := range robotVectors {
		b := unhex(t, v.hex)
		whole, wholeGarbage := parseAll(b)
		for cut := 0; cut <= len(b); cut++ {
			var p Parser
			got := p.Feed(b[:cut])
			got = append(got, p.Feed(b[cut:])...)
			got = append(got, p.Flush()...)
			if !reflect.DeepEqual(got, whole) || p.Garbage() != wholeGarbage {
				t.Errorf("%s split at %d: got %v (garbage %d), want %v (garbage %d)", v.name, cut, got, p.Garbage(), whole, wholeGarbage)
			}
		}
		var p Parser
		var got []Reply
		for i := range b {
			got = append(got, p.Feed(b[i:i+1])...)
		}
		got = append(got, p.Flush()...)
		if !reflect.DeepEqual(got, whole) {
			t.Errorf("%s byte by byte: got %v, want %v", v.name, got, whole)
		}
	}
}

// TestMergedStream puts every R vector in one stream, with garbage between
// some, and checks every reply comes out, in order, however it is read.
func TestMergedStream(t *testing.T) {
	var stream []byte
	var want []Reply
	garbage := [][]byte{nil, {0x00}, []byte("junk"), {0x0d, 0x0a}, {0xff, 0x00}, {0x55, 0x55, 0x0a}}
	for i, v := range robotVectors[:9] {
		g := garbage[i%len(garbage)]
		stream = append(stream, g...)
		stream = append(stream, unhex(t, v.hex)...)
		want = append(want, v.want)
	}
	for _, chunk := range []int{1, 2, 3, 5, 7, 16, len(stream)} {
		var p Parser
		var got []Reply
		for i := 0; i < len(stream); i += chunk {
			got = p.AppendFeed(got, stream[i:min(len(stream), i+chunk)])
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("chunks of %d: got %v, want %v", chunk, got, want)
		}
		if p.Garbage() != 17 {
			t.Errorf("chunks of %d: garbage %d bytes, want 17", chunk, p.Garbage())
		}
	}
}

func TestGarbageResync(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want []Reply
	}{
		{"unknown type", unhex(t, "ff 55 01 09 00 ff 55 0d 0a"), []Reply{{Kind: Ack}}},
		{"no terminator within reach", unhex(t, "ff 55 01 02 00 00 00 00 01 02 03 04 05 06 07 08 09 0a ff 55 0d 0a"), []Reply{{Kind: Ack}}},
		{"ack inside a broken frame", unhex(t, "ff 55 01 02 ff 55 0d 0a 00 00 00 00 00 00 00 00 00 00 00"), []Reply{{Kind: Ack}}},
		{"not a banner", append([]byte("Very odd\r\n"), 0xff, 0x55, 0x0d, 0x0a), []Reply{{Kind: Ack}}},
		{"banner with a control byte", append([]byte("Version: 1\x002\r\n"), 0xff, 0x55, 0x0d, 0x0a), []Reply{{Kind: Ack}}},
		{"ff ff 55", unhex(t, "ff ff 55 0d 0a"), []Reply{{Kind: Ack}}},
	} {
		got, g := parseAll(c.in)
		if !reflect.DeepEqual(got, c.want) || g == 0 {
			t.Errorf("%s: got %v (garbage %d), want %v and some garbage", c.name, got, g, c.want)
		}
	}
}

// TestFlush: a partial reply stays buffered until the line goes quiet; Flush
// gives it up and keeps what follows.
func TestFlush(t *testing.T) {
	var p Parser
	if got := p.Feed(unhex(t, "ff 55 01 02 ff 55 0d 0a")); len(got) != 0 {
		t.Fatalf("got %v before the frame could be judged", got)
	}
	if p.Buffered() != 8 {
		t.Fatalf("buffered %d, want 8", p.Buffered())
	}
	got := p.Flush()
	if !reflect.DeepEqual(got, []Reply{{Kind: Ack}}) || p.Buffered() != 0 || p.Garbage() != 4 {
		t.Fatalf("Flush = %v (buffered %d, garbage %d), want the ack, 0, 4", got, p.Buffered(), p.Garbage())
	}
}

func TestReplyEncodeRoundTrip(t *testing.T) {
	for _, v := range robotVectors {
		got, _ := parseAll(v.want.Encode())
		if len(got) != 1 || !reflect.DeepEqual(got[0], v.want) {
			t.Errorf("%s: Encode % x parses to %v", v.name, v.want.Encode(), got)
		}
	}
	// The firmware's own bytes for R vectors.
	for _, i := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8} {
		v := robotVectors[i]
		if got := v.want.Encode(); !bytes.Equal(got, unhex(t, v.hex)) {
			t.Errorf("%s: Encode = % x, want %s", v.name, got, v.hex)
		}
	}
}

// chunkReader returns its chunks one per Read, then the given error.
type chunkReader struct {
	chunks [][]byte
	err    []error
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	c, err := r.chunks[0], r.err[0]
	r.chunks, r.err = r.chunks[1:], r.err[1:]
	return copy(p, c), err
}

type netTimeout struct{}

func (netTimeout) Error() string { return "i/o timeout" }
func (netTimeout) Timeout() bool { return true }

func TestReader(t *testing.T) {
	timeout := fmt.Errorf("port: %w", os.ErrDeadlineExceeded)
	r := NewReader(&chunkReader{
		chunks: [][]byte{unhex(t, "ff 55 0d 0a ff 55"), unhex(t, "0d 0a ff 55 07"), nil, unhex(t, "ff 55 01 02 ff 55 0d 0a"), nil, nil, unhex(t, "ff 55 0d 0a")},
		err:    []error{nil, nil, timeout, nil, netTimeout{}, timeout, errors.New("unplugged")},
	})
	want := []struct {
		rep Reply
		err error
	}{
		{Reply{Kind: Ack}, nil},
		{Reply{Kind: Ack}, nil},
		{Reply{}, timeout},      // "ff 55 07" was flushed as garbage
		{Reply{Kind: Ack}, nil}, // flushed out of the broken frame by the net timeout
		{Reply{}, timeout},
		{Reply{Kind: Ack}, nil}, // delivered before the error
	}
	for i, w := range want {
		rep, err := r.Next()
		if rep != w.rep || !errors.Is(err, w.err) {
			t.Fatalf("Next #%d = %v, %v; want %v, %v", i, rep, err, w.rep, w.err)
		}
	}
	if _, err := r.Next(); err == nil || err.Error() != "unplugged" {
		t.Fatalf("after the replies: %v, want the read error", err)
	}
	if r.Garbage() != 3+4 {
		t.Errorf("garbage %d, want 7", r.Garbage())
	}
}

func BenchmarkParser(b *testing.B) {
	var stream []byte
	for range 100 {
		for _, v := range robotVectors {
			stream = append(stream, unhex(b, v.hex)...)
		}
	}
	b.SetBytes(int64(len(stream)))
	var p Parser
	out := make([]Reply, 0, 4096)
	for b.Loop() {
		for i := 0; i < len(stream); i += 64 {
			out = p.AppendFeed(out[:0], stream[i:min(len(stream), i+64)])
		}
	}
}
