package wire

import "testing"

func benchMessage() Message {
	moves := make([]Move, 16)
	for i := range moves {
		if i%2 == 0 {
			moves[i] = Move{Kind: Turn, Value: float32(i)*7.3 - 45.25}
		} else {
			moves[i] = Move{Kind: Drive, Value: float32(i) * 1.37}
		}
	}
	return Message{Type: TypeMoves, Seq: 12345, Moves: moves}
}

// BenchmarkDecodeMoves decodes a batch of 16 moves, as the bridge does for
// every message (reusing the Message, as the bridge's readers do).
func BenchmarkDecodeMoves(b *testing.B) {
	m := benchMessage()
	data := m.Encode()
	var out Message
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeInto(&out, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeMoves encodes a batch of 16 moves into a reused buffer.
func BenchmarkEncodeMoves(b *testing.B) {
	m := benchMessage()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = m.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkDecodeMovesReflect decodes the same batch with encoding/json,
// the decoder DecodeInto replaced, for comparison.
func BenchmarkDecodeMovesReflect(b *testing.B) {
	m := benchMessage()
	data := m.Encode()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeReference(data); err != nil {
			b.Fatal(err)
		}
	}
}
