// Package jsonstring writes Go strings as JSON string literals: the one
// string writer that every hand-written JSON encoder in mbotdraw uses
// (drawings, frame traces, the bridge's messages), so that they all escape
// alike.
//
// The output is exactly what encoding/json writes with HTML escaping off
// (json.Encoder.SetEscapeHTML(false)): compact, always valid JSON, and
// readable by any JSON parser. Quote marks and backslashes are escaped;
// control characters below U+0020 become \b, \f, \n, \r, \t or \u00XX;
// U+2028 and U+2029 become \u2028 and \u2029 (so the output is also safe
// inside JavaScript); bytes that are not valid UTF-8 become \ufffd. Every
// other character, '<', '>' and '&' included, is written as it is, so the
// output is never much larger than the input (at most 6 bytes per input
// byte, for control characters only).
//
// The package imports nothing from this module, so that playback and perf,
// which import nothing else from it, may use it.
package jsonstring

import "unicode/utf8"

const hex = "0123456789abcdef"

// plain[c] is true for the ASCII bytes written as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Append appends s to b as a JSON string literal, quotes included, and
// returns the extended slice.
func Append(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is plain and not yet written
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Quote returns s as a JSON string literal (see Append).
func Quote(s string) string { return string(Append(nil, s)) }
