// Package wire is the WebSocket protocol spoken between mbotdraw's robot
// bridge, its clients (the ws:// robot link, the load test) and the live
// companion page: the message types, the pen moves they carry, their JSON
// encoding and validation, and the batcher that groups moves into messages.
//
// Every WebSocket message is one JSON object with a "type" field.
//
// Robot endpoint (/robot), client to bridge:
//
//	{"type":"hello","key":"K","total":N}     start or resume the job whose secret key is K
//	{"type":"moves","seq":N,"moves":[...]}   append moves to the job; answered by {"type":"ack","seq":N}
//	{"type":"end","seq":N}                   no more moves: the job ends when they are drawn; acked too
//	{"type":"cancel"} {"type":"pause"} {"type":"resume"}   control the caller's own job
//	{"type":"ping","id":N}                   answered by {"type":"pong","id":N}
//
// Bridge to client: "ack", "pong", "error"
// ({"type":"error","message":"...","seq":N}), "welcome" (the job's number,
// its last applied seq, moves received and done, place in the queue),
// "queue" (the caller's place: 0 means drawing now), and, to every client,
// at most one of each per 100 ms and only when it changed, "state" (the
// robot's state and the queue's length; "waiting", when the drawing job has
// drawn all it has received, goes only to that job's client: to the others
// the robot is "drawing") and "progress" (moves
// and strokes done, percent, time left in milliseconds; "finished" with the
// state "done", "cancelled" or "dropped" when the job leaves the queue).
//
// Live endpoint (/live), page to window: "pad" (a piece of a stroke drawn
// on the pad: stroke number, color, width, points [x, y, t], end, robot),
// "play", "pause", {"type":"seek","t":MS}, {"type":"speed","speed":X},
// "ping". Window to page: "playback" (t, duration, playing, speed, stroke,
// strokes), "drawing" (the drawing shown), "pong", "error".
//
// Sequence numbers start at 1 and grow by one per acked message of a job; a
// message whose seq was already acked is acked again and not applied twice (a
// client resending after a reconnect), and a gap is an error. A connection
// without a job starts one only with seq 1 (or a hello); a connection whose
// job another took over with its key gets an error for its later messages.
//
// Messages are JSON text: a binary message closes the connection with code
// 1003, text that is not UTF-8 with 1007, a message over the size limit
// with 1009, flooding or not reading what the server sends with 1008, and
// the server shutting down with 1001. Refusals before the upgrade are HTTP:
// 401 (token), 403 (a foreign page or host name), 429 (too many from one
// address, or an address barred for flooding), 503 (too many in all).
//
// Moves are the robot's motions, in the units of package robot:
//
//	{"pen":"up"} {"pen":"down"}   lift or lower the pen
//	{"turn":DEG}                  turn in place, degrees, positive clockwise seen from above (a right turn)
//	{"drive":MM}                  drive straight, millimetres, negative backwards
package wire
