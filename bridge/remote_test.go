package bridge

import "testing"

// A bridge's token travels as a header and never shows on screen.
func TestSplitToken(t *testing.T) {
	for _, tc := range [][3]string{
		{"ws://h:1/robot?token=T", "ws://h:1/robot", "T"},
		{"ws://h:1/robot", "ws://h:1/robot", ""},
		{"wss://h/robot?x=1&token=T", "wss://h/robot?x=1", "T"},
	} {
		if u, tok := splitToken(tc[0]); u != tc[1] || tok != tc[2] {
			t.Errorf("splitToken(%q) = %q, %q; want %q, %q", tc[0], u, tok, tc[1], tc[2])
		}
		if u := WithoutToken(tc[0]); u != tc[1] {
			t.Errorf("WithoutToken(%q) = %q, want %q", tc[0], u, tc[1])
		}
	}
}
