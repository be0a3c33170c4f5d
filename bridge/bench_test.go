package bridge

import (
	"net/http/httptest"
	"testing"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// BenchmarkRoundTrip sends a batch of 16 moves to a bridge on loopback and
// waits for its ack, one at a time: the latency of one message through the
// whole stack (client encode, WebSocket both ways, bridge decode and queue).
func BenchmarkRoundTrip(b *testing.B) {
	for _, comp := range []bool{true, false} {
		name := "deflate"
		if !comp {
			name = "plain"
		}
		b.Run(name, func(b *testing.B) {
			s := New(nullRobot{}, Options{Compression: Compression{Off: !comp}, MaxQueuedMoves: 1 << 30, MaxJobMoves: 1 << 30,
				Limits: Limits{Rate: 1e9, Burst: 1 << 30, ByteRate: 1e12}})
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			d := websocket.Dialer{EnableCompression: comp}
			conn, _, err := d.Dial(wsURL(srv, "/robot"), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			moves := make([]wire.Move, 16)
			for i := range moves {
				moves[i] = wire.Move{Kind: wire.Drive, Value: float32(i) * 1.25}
			}
			var buf []byte
			var in wire.Message
			b.ReportAllocs()
			seq := uint64(0)
			for b.Loop() {
				seq++
				m := wire.Message{Type: wire.TypeMoves, Seq: seq, Moves: moves}
				buf = m.AppendJSON(buf[:0])
				conn.EnableWriteCompression(comp)
				if err := conn.WriteMessage(websocket.TextMessage, buf); err != nil {
					b.Fatal(err)
				}
				for {
					_, data, err := conn.ReadMessage()
					if err != nil {
						b.Fatal(err)
					}
					if wire.DecodeInto(&in, data) == nil && in.Type == wire.TypeAck {
						if in.Seq != seq {
							b.Fatalf("ack %d for %d", in.Seq, seq)
						}
						break
					}
				}
			}
		})
	}
}
