package wire

import (
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// decodeReference is the reflection-based decoder the hand-written one
// replaced: encoding/json into Message, then Validate.
func decodeReference(data []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return Message{}, err
	}
	return m, m.Validate()
}

func TestDecodeEscapesAndOddSpacing(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Message
	}{
		{`{"type":"hello","key":"abc\u0064efghijklmnop"}`, Message{Type: TypeHello, Key: "abcdefghijklmnop"}},
		{`{"type":"error","message":"a \"b\" \\ \/ \n \u00e9 \ud83d\ude00"}`, Message{Type: TypeError, Message: "a \"b\" \\ / \n é 😀"}},
		{"\t{\r\n\"type\" :\"ping\" ,\"id\": 18446744073709551615 }\n", Message{Type: TypePing, ID: 1<<64 - 1}},
		{`{"type":"ping","id":null,"extra":{"a":[1,2,{"b":null}],"c":true,"d":-1.5e-3}}`, Message{Type: TypePing}},
		{`{"type":"seek","t":0.1}`, Message{Type: TypeSeek, T: 0.1}},
		{`{"type":"seek","t":12345678901234567890}`, Message{Type: TypeSeek, T: 12345678901234567890}},
		{`{"type":"moves","seq":1,"moves":[{"drive":-0.000001},{"turn":1E2}]}`, Message{Type: TypeMoves, Seq: 1, Moves: []Move{{Kind: Drive, Value: -0.000001}, {Kind: Turn, Value: 100}}}},
	} {
		got, err := Decode([]byte(c.in))
		if err != nil {
			t.Errorf("Decode(%s): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Decode(%s) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// Errors name the place and quote at most a short prefix of the input.
func TestDecodeErrorsQuoteAShortPrefix(t *testing.T) {
	big := strings.Repeat("<", 100_000)
	for _, in := range []string{
		`{"type":"` + big + `"}`,
		`{"type":"moves","seq":1,"moves":[{"` + big + `":1}]}`,
		`{"type":"moves","seq":1,"moves":[{"pen":"` + big + `"}]}`,
		`{"type":"moves","seq":1,"moves":[{"drive":1` + strings.Repeat("0", 100_000) + `}]}`,
		`{"type":"pad","color":"` + big + `"}`,
		`{"type":"ping","id":` + strings.Repeat("9", 100_000) + `}`,
		big,
		`{"type":"ping","x":` + strings.Repeat("[", 100_000) + `}`,
	} {
		_, err := Decode([]byte(in))
		if err == nil {
			t.Errorf("Decode(%.40s…): no error", in)
			continue
		}
		if len(err.Error()) > 200 {
			t.Errorf("Decode(%.40s…) = %.300q (%d bytes), want a short error", in, err, len(err.Error()))
		}
	}
}

func TestDecodeRejectsWhatJSONRejects(t *testing.T) {
	for _, in := range []string{
		`{"type":"ping","id":01}`, `{"type":"ping","id":1.}`, `{"type":"ping","id":-}`, `{"type":"ping",}`,
		`{"type":"ping" "id":1}`, `{'type':'ping'}`, `{"type":"ping","x":tru}`, `{"type":"ping","x":"\x"}`,
		`{"type":"ping","x":"` + "\x01" + `"}`, `{"type":"ping","x":[1,]}`, `{"type":"ping","x":{"a"}}`,
		`{"type":"ping","id":1e2}`, `{"type":"ping","id":-1}`, `{"type":"hello","key":"abcdefghijklmnop","total":1.5}`,
	} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%s): no error", in)
		}
	}
}

// FuzzDecodeMatchesReference: whatever the hand-written decoder accepts,
// encoding/json accepts too, and decodes to the same message.
func FuzzDecodeMatchesReference(f *testing.F) {
	for _, s := range []string{
		`{"type":"moves","seq":1,"moves":[{"pen":"down"},{"drive":12.5},{"turn":-90}]}`,
		`{"type":"pad","stroke":0,"color":"#000000","width":3,"points":[[1,2,3],[4,5]],"end":true,"robot":false}`,
		`{"type":"hello","key":"0123456789abcdef","total":3,"x":[{"y":null}]}`,
		`{"type":"error","message":"\u00e9\ud83d\ude00\"","seq":2}`,
		`{"type":"progress","job":1,"state":"done","done":3,"total":3,"strokes":1,"percent":100,"left_ms":0,"finished":true}`,
		`{"type":"playback","t":1.5,"duration":2e3,"playing":true,"speed":0.25,"stroke":1,"strokes":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Message
		err := DecodeInto(&m, data)
		if err != nil {
			if err.Error() == "" || len(err.Error()) > 400 {
				t.Fatalf("error %q for %q", err, data)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if !utf8.Valid(data) {
			return // encoding/json replaces bad UTF-8; the bridge closes such messages before decoding
		}
		ref, rerr := decodeReference(data)
		if rerr != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", data, rerr)
		}
		if len(m.Moves) == 0 {
			m.Moves = nil
		}
		if len(m.Points) == 0 {
			m.Points = nil
		}
		if len(ref.Moves) == 0 {
			ref.Moves = nil
		}
		if len(ref.Points) == 0 {
			ref.Points = nil
		}
		if !reflect.DeepEqual(m, ref) && !foldsBeyondASCII(data) {
			t.Fatalf("%q decoded to %+v; encoding/json: %+v", data, m, ref)
		}
	})
}

// foldsBeyondASCII reports whether data may hold a field name that only
// encoding/json's Unicode case folding matches (ſ for s, the Kelvin sign for k).
func foldsBeyondASCII(data []byte) bool {
	s := strings.ToLower(string(data))
	return strings.ContainsAny(string(data), "\u017f\u212a") || strings.Contains(s, `\u017f`) || strings.Contains(s, `\u212a`)
}

// A message whose type is a megabyte long is refused without copying the
// megabyte (a hostile client's cheapest way to make the bridge allocate),
// and its error quotes the start of it, as for any unknown type.
func TestLongUnknownTypeIsNotCopied(t *testing.T) {
	long := []byte(`{"type":"` + strings.Repeat("<", 1<<20) + `"}`)
	var m Message
	err := DecodeInto(&m, long)
	want := `unknown message type "` + strings.Repeat("<", quoteMax) + `"…`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want it to say %s", err, want)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		_ = DecodeInto(&m, long)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("10 decodes of a megabyte-long type allocated %d KB, want under 1 MB in all", n>>10)
	}
}
