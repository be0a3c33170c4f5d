// Package bridge is mbotdraw's WebSocket side: the robot bridge, which lets
// many clients share the one robot plugged into this computer, and the live
// companion, the small web page through which a tablet watches the window's
// playback, controls it and draws into it.
//
// The robot bridge (Server, endpoint /robot) owns one Robot. Clients send
// moves in batches, each batch acked by its sequence number; one job is
// drawn at a time and the others wait their turn in order of arrival, each
// told its place. Progress and the robot's state go to every client. A
// client that loses its connection says hello again with its job's secret
// key and resends from the last acked move; nothing is drawn twice.
//
// The other end of /robot is the Client (Dial), which plot and the window
// use for --robot ws://…: it batches moves, measures round trips, and
// after a lost connection redials and resumes its job. Remote wraps one
// job of a robot.Program as a robot.Plotter, reporting the bridge's
// progress as the program's (JobProgress); package robotconn opens it.
//
// The live companion (Live, endpoints / and /live) serves the embedded page
// (assets/companion) and relays, over one WebSocket per page, the window's
// playback state to the pages, and the pages' commands and pad strokes to the
// window as channels.
//
// Both speak the JSON messages of package wire and share the same
// safeguards: listening beyond loopback needs a token (Authorization: Bearer
// T, or ?token=T), checked before the upgrade (HTTP 401); without a token
// the Host and the Origin must be loopback names or addresses, so that a web
// page on a foreign name made to resolve to 127.0.0.1 (DNS rebinding) is
// refused, and with a token browsers must come from the same host or from
// loopback (HTTP 403 otherwise); every message is limited in size (1 MiB by
// default; a larger one closes that connection with code 1009), must be
// UTF-8 text (else 1007; binary messages get 1003) and is limited in rate
// (a token bucket per client that control frames draw on too: excess
// messages get an error and are dropped, and a client that keeps flooding
// is closed with code 1008, its address barred for 10 s) and in bytes (a
// client over 256 KiB a second is read no faster); only pongs to the
// server's own pings keep a quiet connection open; every client has a send
// queue bounded in messages and bytes, so a client that stops reading is
// closed (1008) and never stalls the robot or the others; malformed
// messages get an error that quotes at most a short prefix of them, and the
// connection stays usable. One client address may hold 50 connections and
// open 20 a second; at most 128 connections (16 per address) may be in
// their handshake at once, the rest closed as soon as they are accepted
// (see Limits). On the robot endpoint one address may have 10 jobs queued,
// a job whose client leaves before it began leaves the queue, and the job
// drawing is dropped when, while others wait, its pauses or its waits for
// moves add up past MaxPause or StallTimeout (see Options). The companion
// caps what pages draw into the window (see LiveOptions).
// Messages of 256 bytes or more are compressed (permessage-deflate) where
// the client agrees. Round trips are measured all the time with WebSocket
// pings into a latency histogram (Stats, RTT) for the performance monitor.
package bridge
