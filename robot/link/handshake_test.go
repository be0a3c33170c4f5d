package link

import (
	"strings"
	"testing"
	"time"
)

// scripted is a Link that answers the handshake with fixed bytes, a few at
// a time, and then nothing (reads time out).
type scripted struct {
	data    []byte
	step    int
	timeout time.Duration
}

func (s *scripted) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		time.Sleep(min(s.timeout, time.Millisecond))
		return 0, ErrTimeout
	}
	n := min(len(p), s.step, len(s.data))
	copy(p, s.data[:n])
	s.data = s.data[n:]
	return n, nil
}
func (s *scripted) Write(p []byte) (int, error)          { return len(p), nil }
func (s *scripted) Close() error                         { return nil }
func (s *scripted) SetReadTimeout(d time.Duration) error { s.timeout = d; return nil }

// FuzzHandshake: whatever a port answers while it is opened, the handshake
// ends (ready, or an error) without a panic, and what it hands back to the
// stream is a tail of what was read.
func FuzzHandshake(f *testing.F) {
	f.Add([]byte("Version: 06.01.107\r\n\xff\x55\xfb\x04\x0906.01.107\r\n"), 3)
	f.Add([]byte("\xff\x55\xfa\x04\x0906.01.009\r\n\xff\x55\x0d\x0a"), 64)
	f.Add([]byte("$GPGGA,123519,4807.038,N*47\r\n"), 7)
	f.Add([]byte("Version: \xff\x55\x80\x01\x01\r\n"), 1)
	f.Add([]byte{}, 1)
	f.Fuzz(func(t *testing.T, data []byte, step int) {
		if step < 1 || step > 512 || len(data) > 4096 {
			return
		}
		in := append([]byte(nil), data...)
		l := &scripted{data: data, step: step}
		done := make(chan struct{})
		var rest []byte
		go func() {
			defer close(done)
			_, rest, _ = awaitBoard(l, "fuzz", 30*time.Millisecond)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the handshake did not end")
		}
		if len(rest) > len(in) || string(in[len(in)-len(rest):]) != string(rest) && len(l.data) == 0 {
			t.Errorf("handed back %q, not a tail of what was read", rest)
		}
	})
}

// What the window and plot say about the firmware that answered.
func TestBoardDescribe(t *testing.T) {
	tests := []struct {
		version string
		want    []string // substrings, in order
		not     string
	}{
		{"06.01.107", []string{"mBot firmware 06.01.107"}, "("},
		{"06.01.009", []string{"mBot firmware 06.01.009", "factory program", "it draws", "mode A", "update its firmware"}, ""},
		{"0a.01.106", []string{"Orion"}, ""},
		{"1.2.103", []string{"does not know", "mBlock firmware"}, ""},
		{"", nil, ""},
	}
	for _, tc := range tests {
		got := Board{Version: tc.version}.Describe()
		if tc.want == nil && got != "" {
			t.Errorf("%q: %q, want nothing", tc.version, got)
		}
		rest := got
		for _, w := range tc.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%q: %q lacks %q (in order)", tc.version, got, w)
				break
			}
			rest = rest[i+len(w):]
		}
		if tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%q: %q, want no note", tc.version, got)
		}
	}
}
