package bridge

import (
	"compress/flate"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"mbotdraw/bridge/wire"
)

// BaselineHandler is the load test's yardstick: the least a WebSocket server
// must do to answer the robot endpoint's clients, with nothing of the
// bridge (no queue, no robot, no broadcasts, no limits). One goroutine per
// connection reads each message, decodes it with the same decoder as the
// bridge (so that a comparison measures the bridge's own work), and
// answers at once: "ack" to "moves" and "end", "pong" to "ping", and
// "welcome" with the moves received so far to "hello". It compresses like
// the bridge (permessage-deflate at the fastest level, messages of 256
// bytes or more) when compress is set and the client agrees.
func BaselineHandler(compress bool) http.Handler {
	up := websocket.Upgrader{EnableCompression: compress, CheckOrigin: func(*http.Request) bool { return true }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetCompressionLevel(flate.BestSpeed)
		conn.SetReadLimit(1 << 20)
		var m wire.Message
		var out []byte
		received := 0
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if wire.DecodeInto(&m, data) != nil {
				continue
			}
			var reply wire.Message
			switch m.Type {
			case wire.TypeMoves:
				received += len(m.Moves)
				reply = wire.Message{Type: wire.TypeAck, Seq: m.Seq}
			case wire.TypeEnd:
				reply = wire.Message{Type: wire.TypeAck, Seq: m.Seq}
			case wire.TypePing:
				reply = wire.Message{Type: wire.TypePong, ID: m.ID}
			case wire.TypeHello:
				reply = wire.Message{Type: wire.TypeWelcome, Job: 1, Received: received}
			default:
				continue
			}
			out = reply.AppendJSON(out[:0])
			conn.EnableWriteCompression(compress && len(out) >= 256)
			_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if conn.WriteMessage(websocket.TextMessage, out) != nil {
				return
			}
		}
	})
}
