package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Message
	}{
		{`{"type":"ping","id":7}`, Message{Type: TypePing, ID: 7}},
		{`{"type":"moves","seq":3,"moves":[{"pen":"down"},{"drive":12.5},{"turn":-90},{"pen":"up"}]}`,
			Message{Type: TypeMoves, Seq: 3, Moves: []Move{{Kind: PenDown}, {Kind: Drive, Value: 12.5}, {Kind: Turn, Value: -90}, {Kind: PenUp}}}},
		{` { "type" : "moves" , "seq" : 1 , "moves" : [ { "turn" : 1e1 } ] } `, Message{Type: TypeMoves, Seq: 1, Moves: []Move{{Kind: Turn, Value: 10}}}},
		{`{"type":"hello","key":"abcdefghijklmnop","total":5,"future":"ignored"}`, Message{Type: TypeHello, Key: "abcdefghijklmnop", Total: 5}},
		{`{"type":"seek","t":1500}`, Message{Type: TypeSeek, T: 1500}},
		{`{"type":"speed","speed":2}`, Message{Type: TypeSpeed, Speed: 2}},
		{`{"type":"pad","stroke":2,"color":"#1E88e5","width":3,"points":[[1,2,0],[3,4,16.5]],"end":true,"robot":true}`,
			Message{Type: TypePad, Stroke: 2, Color: "#1E88e5", Width: 3, Points: [][3]float64{{1, 2, 0}, {3, 4, 16.5}}, End: true, Robot: true}},
		{`{"type":"undo","stroke":4}`, Message{Type: TypeUndo, Stroke: 4}},
		{`{"type":"clear","robot":true}`, Message{Type: TypeClear, Robot: true}},
		{`{"type":"save"}`, Message{Type: TypeSave}},
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

func TestDecodeInvalid(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{``, "invalid JSON"},
		{`{"type":"ping"`, "invalid JSON"},
		{`{"type":"ping"} x`, "invalid JSON"},
		{`"ping"`, "JSON object"},
		{`{"type":7}`, `"type"`},
		{`{}`, `no "type"`},
		{`{"type":"warp"}`, `unknown message type "warp"`},
		{`{"type":"moves","moves":[{"pen":"up"}]}`, `"seq"`},
		{`{"type":"moves","seq":1}`, "no moves"},
		{`{"type":"moves","seq":-1,"moves":[{"pen":"up"}]}`, `"seq"`},
		{`{"type":"moves","seq":1,"moves":[{"pen":"sideways"}]}`, `moves[0]`},
		{`{"type":"moves","seq":1,"moves":[{"pen":"up"},{"drive":"far"}]}`, `moves[1]`},
		{`{"type":"moves","seq":1,"moves":[{"drive":1,"turn":2}]}`, `exactly one key`},
		{`{"type":"moves","seq":1,"moves":[{}]}`, `one key`},
		{`{"type":"moves","seq":1,"moves":[{"turn":99999}]}`, `beyond`},
		{`{"type":"moves","seq":1,"moves":[{"drive":1e400}]}`, `moves[0]`},
		{`{"type":"moves","seq":1,"moves":[3]}`, `moves[0]`},
		{`{"type":"hello","key":"short"}`, `"key"`},
		{`{"type":"hello","key":"abcdefghijklmnop!"}`, `"key"`},
		{`{"type":"seek","t":-5}`, `"t"`},
		{`{"type":"speed","speed":100}`, `between`},
		{`{"type":"speed"}`, `between`},
		{`{"type":"pad","color":"red","points":[]}`, `"color"`},
		{`{"type":"pad","points":[[1,2,-1]]}`, `points[0]`},
		{`{"type":"pad","points":[[1,2]]}`, ``},
		{`{"type":"undo","stroke":-1}`, `negative`},
	} {
		_, err := Decode([]byte(c.in))
		if err == nil {
			if c.want != "" {
				t.Errorf("Decode(%s): no error, want one mentioning %q", c.in, c.want)
			}
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%s) = %q, want it to mention %q", c.in, err, c.want)
		}
	}
}

func TestEncodeRoundTrips(t *testing.T) {
	for _, m := range []Message{
		{Type: TypeMoves, Seq: 9, Moves: []Move{{Kind: PenDown}, {Kind: Drive, Value: 0.1}, {Kind: Turn, Value: -179.99}, {Kind: PenUp}}},
		{Type: TypeAck, Seq: 1 << 40},
		{Type: TypeError, Message: "quote \" and <tag> and ünïcode", Seq: 2},
		{Type: TypeWelcome, Job: 3, Seq: 4, Total: 5, Received: 6, Done: 7},
		{Type: TypeProgress, Job: 3, State: "done", Done: 10, Total: 10, Strokes: 2, Percent: 100, Finished: true},
		{Type: TypeState, State: StateDrawing, Job: 1, Queue: 2},
		{Type: TypePlayback, T: 12.5, Duration: 1000, Playing: true, Speed: 2, Stroke: 3, Strokes: 9},
		{Type: TypePad, Stroke: 1, Color: "#ff0000", Width: 2, Points: [][3]float64{{1.5, 2, 3}}, End: true},
		{Type: TypeHello, Key: "0123456789abcdef", Total: 3},
		{Type: TypeUndo, Stroke: 7},
		{Type: TypeClear, Robot: true},
		{Type: TypeSaved, Message: "Saved to Pictures/mbotdraw/Tablet-2026-12-02-1030.png"},
	} {
		data := m.Encode()
		if !json.Valid(data) {
			t.Errorf("%s: not valid JSON", data)
			continue
		}
		got, err := Decode(data)
		if err != nil {
			t.Errorf("Decode(%s): %v", data, err)
			continue
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip of %+v gave %+v (via %s)", m, got, data)
		}
	}
}

func TestMoveJSON(t *testing.T) {
	for _, c := range []struct {
		m    Move
		json string
	}{
		{Move{Kind: PenUp}, `{"pen":"up"}`},
		{Move{Kind: PenDown}, `{"pen":"down"}`},
		{Move{Kind: Turn, Value: 90}, `{"turn":90}`},
		{Move{Kind: Drive, Value: -12.25}, `{"drive":-12.25}`},
	} {
		got, err := json.Marshal(c.m)
		if err != nil || string(got) != c.json {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", c.m, got, err, c.json)
		}
	}
	if _, err := json.Marshal(Move{Kind: Drive, Value: float32(math.Inf(1))}); err == nil {
		t.Error("an infinite drive marshalled")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"moves","seq":1,"moves":[{"pen":"down"},{"drive":12.5},{"turn":-90}]}`,
		`{"type":"pad","stroke":0,"color":"#000000","width":3,"points":[[1,2,3]],"end":true}`,
		`{"type":"hello","key":"0123456789abcdef","total":3}`,
		`{"type":"ping","id":1}`, `{"type":"seek","t":5}`, `[`, `{"moves":[{"turn":"x"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		// A valid message re-encodes to valid JSON that decodes to the same.
		enc := m.Encode()
		if !json.Valid(enc) {
			t.Fatalf("Encode gave invalid JSON %q for %+v", enc, m)
		}
		switch m.Type {
		case TypeMoves, TypePad, TypeHello, TypeSeek, TypeSpeed, TypePing, TypeAck:
			m2, err := Decode(enc)
			if err != nil {
				t.Fatalf("re-decoding %s: %v", enc, err)
			}
			if !reflect.DeepEqual(m2.Moves, m.Moves) && !(len(m.Moves) == 0 && len(m2.Moves) == 0) {
				t.Fatalf("moves changed: %v → %v", m.Moves, m2.Moves)
			}
		}
	})
}
