package wire

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDrawingEncoderWritesValidJSON(t *testing.T) {
	type stroke struct {
		Color  string    `json:"color"`
		Width  float64   `json:"width"`
		Points []float64 `json:"points"`
	}
	type drawing struct {
		Type       string   `json:"type"`
		Width      float64  `json:"width"`
		Height     float64  `json:"height"`
		Background string   `json:"background"`
		Name       string   `json:"name"`
		Strokes    []stroke `json:"strokes"`
	}
	for _, c := range []struct {
		name string
		draw func(e *DrawingEncoder)
		want drawing
	}{
		{"empty", func(*DrawingEncoder) {}, drawing{Type: "drawing", Width: 800, Height: 600, Background: "#ffffff", Name: `a "cat" <b>\`, Strokes: []stroke{}}},
		{"two strokes", func(e *DrawingEncoder) {
			e.Stroke("#1e88e5", 3)
			e.Point(1.234, 5.678, 12.345)
			e.Point(-1.006, 2, 0)
			e.Stroke("#000000", 0.5)
		}, drawing{Type: "drawing", Width: 800, Height: 600, Background: "#ffffff", Name: `a "cat" <b>\`, Strokes: []stroke{
			{Color: "#1e88e5", Width: 3, Points: []float64{1.23, 5.68, 12.3, -1.01, 2, 0}},
			{Color: "#000000", Width: 0.5, Points: []float64{}},
		}}},
	} {
		e := NewDrawingEncoder(800, 600, "#ffffff", `a "cat" <b>\`, 0)
		c.draw(e)
		data := e.Bytes()
		var got drawing
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatalf("%s: %s: %v", c.name, data, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %s decodes to %+v, want %+v", c.name, data, got, c.want)
		}
	}
}
