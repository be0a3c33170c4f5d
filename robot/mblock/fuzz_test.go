package mblock

import (
	"math"
	"testing"
)

// sameReplies compares replies bit for bit (NaN equals NaN).
func sameReplies(a, b []Reply) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if math.Float64bits(x.Number) != math.Float64bits(y.Number) {
			return false
		}
		x.Number, y.Number = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

// FuzzParser checks that the reply parser never panics, that its result does
// not depend on how reads split the stream, and that it never loses sync for
// good: after any input, a Flush and then good replies parse exactly, and
// without a Flush good replies come through again within a bounded number of
// bytes.
func FuzzParser(f *testing.F) {
	for _, v := range robotVectors {
		f.Add(unhex(f, v.hex), uint8(3))
	}
	f.Add(unhex(f, "ff 55 01 04 ff"), uint8(1))
	f.Add([]byte("Version: 06.01"), uint8(5))
	f.Add(unhex(f, "ff 55 03 03 2a 00 0d 0a"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		var whole Parser
		want := whole.Feed(data)
		want = append(want, whole.Flush()...)

		step := int(chunk)%17 + 1
		var split Parser
		var got []Reply
		for i := 0; i < len(data); i += step {
			got = split.AppendFeed(got, data[i:min(len(data), i+step)])
		}
		got = append(got, split.Flush()...)
		if !sameReplies(got, want) {
			t.Fatalf("split in %d-byte reads: %v, whole: %v", step, got, want)
		}
		if split.Garbage() != whole.Garbage() {
			t.Fatalf("garbage %d split, %d whole", split.Garbage(), whole.Garbage())
		}
		if split.Buffered() != 0 {
			t.Fatalf("%d bytes buffered after Flush", split.Buffered())
		}

		// After a flush, a good stream parses exactly.
		good := append(append(Reply{Kind: Ack}.Encode(), Reply{Kind: Value, Index: 3, Type: TypeFloat, Number: 400}.Encode()...), Reply{Kind: Empty, Index: 9}.Encode()...)
		var p Parser
		p.Feed(data)
		p.Flush()
		if out := p.Feed(good); len(out) != 3 || out[0].Kind != Ack || out[1].Number != 400 || out[2].Kind != Empty {
			t.Fatalf("after flush, good stream gave %v", out)
		}

		// Without a flush, acks come through again: a broken frame can hold
		// back at most a few hundred bytes.
		var q Parser
		q.Feed(data)
		acks := 0
		for range 200 {
			for _, r := range q.Feed(Reply{Kind: Ack}.Encode()) {
				if r.Kind == Ack {
					acks++
				}
			}
		}
		if acks < 200-(4+1+255+maxSlack+2)/4-1 {
			t.Fatalf("only %d of 200 acks came through after %d bytes of input", acks, len(data))
		}
		if q.Buffered() > 4+1+255+maxSlack+2 {
			t.Fatalf("%d bytes buffered", q.Buffered())
		}
	})
}

// FuzzRequestDecoder checks that the firmware-faithful decoder never panics
// and never yields a frame longer than the firmware's buffer holds.
func FuzzRequestDecoder(f *testing.F) {
	for _, v := range hostVectors {
		f.Add(unhex(f, v.want))
	}
	f.Add([]byte{0xff, 0x55, 0x00, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d RequestDecoder
		for _, r := range d.Feed(data) {
			if len(r.Data) > MaxFrameLen-6 {
				t.Fatalf("frame with %d data bytes", len(r.Data))
			}
			_ = r.String()
		}
		// Whatever came before, the decoder accepts a frame after at most
		// one frame's worth of filler (52 bytes of zeros end any frame).
		filler := make([]byte, MaxFrameLen+1)
		got := d.Feed(append(filler, Servo(1, Port1, Slot1, 90)...))
		if n := len(got); n == 0 || got[n-1].Device != DevServo || got[n-1].Arg(2) != 90 {
			t.Fatalf("after filler: %v", got)
		}
	})
}
