package assets

import (
	"encoding/json"
	"testing"
)

// TestGallery: the Open card's demo gallery is the garden and a few small
// real drawings, each a timed mbotdraw JSON drawing with a name, together
// small enough not to weigh on the program.
func TestGallery(t *testing.T) {
	g := Gallery()
	if len(g) < 5 || g[0].Title != "Garden" || string(g[0].Data) != string(Demo()) {
		t.Fatalf("gallery of %d drawings; want the garden first and 4 or more others", len(g))
	}
	titles, size := map[string]bool{}, 0
	for _, d := range g {
		var dr struct {
			Format  string `json:"format"`
			Name    string `json:"name"`
			Strokes []struct {
				Points [][]float64 `json:"points"`
			} `json:"strokes"`
		}
		if err := json.Unmarshal(d.Data, &dr); err != nil {
			t.Errorf("%s: %v", d.Name, err)
			continue
		}
		if dr.Format != "mbotdraw" || len(dr.Strokes) == 0 || len(dr.Strokes[0].Points) == 0 || len(dr.Strokes[0].Points[0]) != 3 {
			t.Errorf("%s: want a timed mbotdraw drawing", d.Name)
		}
		if d.Title == "" || titles[d.Title] || (d.Name != DemoName && dr.Name != d.Title) {
			t.Errorf("%s: title %q, name %q: want a title of its own, the drawing's name", d.Name, d.Title, dr.Name)
		}
		titles[d.Title] = true
		if d.Name != DemoName {
			size += len(d.Data)
		}
	}
	if size > 40<<10 {
		t.Errorf("the small demos weigh %d bytes, want at most 40 KB", size)
	}
}
