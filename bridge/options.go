package bridge

import (
	"compress/flate"
	"time"
)

// Limits protect a server from its clients. The zero value is the default
// given beside each field.
type Limits struct {
	// ReadLimit is the largest message accepted, in bytes, after
	// decompression (0: 1 MiB). A larger message closes that connection with
	// code 1009 (message too big).
	ReadLimit int64
	// Rate is how many messages per second a client may send on average
	// (0: 200), and Burst how many it may send at once (0: twice Rate).
	Rate  float64
	Burst int
	// ByteRate is how many bytes per second (after decompression) a client
	// may send on average (0: 256 KiB); it may send ReadLimit at once. A
	// client over it is not read from until it is back within it, so that
	// its traffic costs the server no more than that.
	ByteRate float64
	// AbuseLimit is how many messages over the rate a client may send within
	// ten seconds before it is closed with code 1008 (0: 1000). Below it, each
	// one gets an error and is dropped. AbusePenalty is how long its address
	// may then not connect again (0: 10 s; HTTP 429, or closed at accept).
	AbuseLimit   int
	AbusePenalty time.Duration
	// SendQueue is how many messages may wait to be written to one client
	// (0: 256). A client whose queue overflows is not reading: it is closed.
	SendQueue int
	// SendQueueBytes bounds the bytes waiting to be written to one client
	// (0: 256 KiB); over it, the client is closed like for SendQueue.
	SendQueueBytes int
	// WriteTimeout bounds one write to a client (0: 5 s).
	WriteTimeout time.Duration
	// PingInterval is how often each client is pinged to measure the round
	// trip and to check it is alive (0: 1 s).
	PingInterval time.Duration
	// ReadTimeout closes a client from which nothing (not even a pong) has
	// come for this long (0: 30 s).
	ReadTimeout time.Duration
	// MaxClients bounds the connections served at once (0: 1000); one more
	// gets HTTP 503 before the upgrade. MaxClientsPerAddr bounds those from
	// one client address (0: 50); one more gets HTTP 429.
	MaxClients        int
	MaxClientsPerAddr int
	// MaxHandshakes bounds the connections accepted whose WebSocket
	// handshake (or HTTP request) is not done yet (0: 128), and
	// MaxHandshakesPerAddr those from one client address (0: 16): one more
	// is closed at once. These hold only where the server listens itself
	// (Serve), not behind another http.Server.
	MaxHandshakes        int
	MaxHandshakesPerAddr int
	// ConnectRate is how many connections per second one client address may
	// open on average (0: 20), twice that at once; more are closed as soon
	// as they are accepted (with MaxHandshakes).
	ConnectRate float64
}

func (l Limits) withDefaults() Limits {
	if l.ReadLimit <= 0 {
		l.ReadLimit = 1 << 20
	}
	if l.Rate <= 0 {
		l.Rate = 200
	}
	if l.Burst <= 0 {
		l.Burst = int(2 * l.Rate)
	}
	if l.ByteRate <= 0 {
		l.ByteRate = 256 << 10
	}
	if l.ConnectRate <= 0 {
		l.ConnectRate = 20
	}
	if l.AbuseLimit <= 0 {
		l.AbuseLimit = 1000
	}
	if l.AbusePenalty <= 0 {
		l.AbusePenalty = 10 * time.Second
	}
	if l.SendQueue <= 0 {
		l.SendQueue = 256
	}
	if l.SendQueueBytes <= 0 {
		l.SendQueueBytes = 256 << 10
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = 5 * time.Second
	}
	if l.PingInterval <= 0 {
		l.PingInterval = time.Second
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = 30 * time.Second
	}
	if l.MaxClients <= 0 {
		l.MaxClients = 1000
	}
	if l.MaxClientsPerAddr <= 0 {
		l.MaxClientsPerAddr = 50
	}
	if l.MaxHandshakes <= 0 {
		l.MaxHandshakes = 128
	}
	if l.MaxHandshakesPerAddr <= 0 {
		l.MaxHandshakesPerAddr = 16
	}
	return l
}

// Compression is permessage-deflate's setting. The zero value compresses
// messages of 256 bytes or more at the fastest level, with clients that
// agree to it.
type Compression struct {
	// Off disables compression (it is then not even negotiated).
	Off bool
	// MinSize is the smallest message compressed, in bytes (0: 256). Small
	// messages (acks, pongs, states) cost more to compress than they save.
	MinSize int
	// Level is the flate level, 1 (fastest) to 9 (0: 1).
	Level int
}

func (c Compression) withDefaults() Compression {
	if c.MinSize <= 0 {
		c.MinSize = 256
	}
	if c.Level < flate.BestSpeed || c.Level > flate.BestCompression {
		c.Level = flate.BestSpeed
	}
	return c
}
