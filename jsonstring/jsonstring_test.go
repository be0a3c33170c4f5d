package jsonstring

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// reference is encoding/json's encoding of s with HTML escaping off, the
// output Append promises to match byte for byte.
func reference(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// check asserts that Append matches encoding/json, is valid JSON, and reads
// back as s with invalid UTF-8 replaced by U+FFFD.
func check(t testing.TB, s string) {
	t.Helper()
	got := string(Append([]byte("prefix:"), s))
	if !strings.HasPrefix(got, "prefix:") {
		t.Fatalf("Append(%q) lost the prefix: %q", s, got)
	}
	got = got[len("prefix:"):]
	if want := reference(t, s); got != want {
		t.Fatalf("Append(%q) = %s, encoding/json writes %s", s, got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Fatalf("Append(%q) = %s is not valid JSON", s, got)
	}
	var back string
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("Append(%q) = %s does not read back: %v", s, got, err)
	}
	if want := replaceBad(s); back != want {
		t.Fatalf("Append(%q) = %s reads back as %q, want %q", s, got, back, want)
	}
	if !utf8.ValidString(back) {
		t.Fatalf("Append(%q) reads back as invalid UTF-8 %q", s, back)
	}
	if q := Quote(s); q != got {
		t.Fatalf("Quote(%q) = %s, Append wrote %s", s, q, got)
	}
}

// replaceBad replaces each byte of s that is not valid UTF-8 with U+FFFD
// (strings.ToValidUTF8 folds a run of them into one).
func replaceBad(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func TestAppend(t *testing.T) {
	var all strings.Builder
	for c := 0; c < 0x80; c++ {
		all.WriteByte(byte(c))
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"plain", "Garden at dusk", `"Garden at dusk"`},
		{"quotes and backslash", `say "hi" \o/`, `"say \"hi\" \\o/"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other control characters", "\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"delete is plain", "\x7f", "\"\x7f\""},
		{"html is plain", "<a href='x'>&</a>", `"<a href='x'>&</a>"`},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"non-ASCII kept", "héllo, 世界 🙂", `"héllo, 世界 🙂"`},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"two invalid bytes", "\xff\xfe", `"\ufffd\ufffd"`},
		{"truncated rune", "\xe4\xb8", `"\ufffd\ufffd"`},
		{"surrogate half", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"overlong slash", "\xc0\xaf", `"\ufffd\ufffd"`},
		{"replacement character itself", "\uFFFD", "\"\uFFFD\""},
		{"every ASCII byte", all.String(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want != "" {
				if got := Quote(tt.in); got != tt.want {
					t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
				}
			}
			check(t, tt.in)
		})
	}
}

// TestAppendSize: an error reply quoting hostile input must not grow it
// sixfold, as encoding/json's HTML escaping does for '<'.
func TestAppendSize(t *testing.T) {
	in := strings.Repeat("<>&", 1000)
	if got := len(Append(nil, in)); got != len(in)+2 {
		t.Errorf("Append of %d HTML characters wrote %d bytes, want %d", len(in), got, len(in)+2)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f\x7f", "\u2028\u2029", "\xff\xe4\xb8", "<&>", "世界\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check(t, s)
	})
}

func BenchmarkAppend(b *testing.B) {
	s := strings.Repeat("Garden at dusk, \"quoted\" — ünïcode\n", 4)
	buf := make([]byte, 0, 1024)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = Append(buf[:0], s)
	}
}
