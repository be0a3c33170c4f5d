// Package assets holds the files the programs carry inside them: the demo
// drawing that the window opens when no file is given, the small drawings of
// the demo gallery (Gallery), and the window icon.
// The companion web page joins them later.
//
// The demo is a garden scene made of Quick, Draw! doodles (Quick, Draw!
// dataset by Google, CC BY 4.0) with their real pen timings, plus a sun and a
// ground line of our own; README.md says which doodles and how the scene is
// made. demo_gen_test.go regenerates demo.mbd.json and icon.png
// (go test ./assets -run TestGenerate -update).
package assets

import (
	"bytes"
	"embed"
	"fmt"
	"image"
	"image/png"
)

// DemoName is the file name the demo drawing goes by in titles and messages.
const DemoName = "demo.mbd.json"

//go:embed demo.mbd.json
var demoJSON []byte

//go:embed icon.png
var iconPNG []byte

//go:embed demos/*.mbd.json
var demos embed.FS

// DemoDrawing is a drawing of the demo gallery.
type DemoDrawing struct {
	// Name is its file name ("fish.mbd.json"); Title is what people call it
	// ("Fish").
	Name, Title string
	// Data is the drawing in the mbotdraw JSON format, shared: callers must
	// not modify it.
	Data []byte
}

// gallery lists the small demo drawings after the garden, in the order the
// Open card shows them; README.md credits each.
var gallery = []struct{ file, title string }{
	{"bicycle.mbd.json", "Bicycle"},
	{"fish.mbd.json", "Fish"},
	{"sheep.mbd.json", "Sheep"},
	{"hello.mbd.json", "Hello my friend"},
}

// Gallery returns the demo gallery: the garden (Demo) first, then small
// real drawings (Quick, Draw! doodles, handwriting), each a few kilobytes.
func Gallery() []DemoDrawing {
	out := []DemoDrawing{{Name: DemoName, Title: "Garden", Data: demoJSON}}
	for _, d := range gallery {
		data, err := demos.ReadFile("demos/" + d.file)
		if err != nil {
			continue // embedded at build time: cannot happen (assets_test checks)
		}
		out = append(out, DemoDrawing{Name: d.file, Title: d.title, Data: data})
	}
	return out
}

// Demo returns the demo drawing in the mbotdraw JSON format. The slice is
// shared: callers must not modify it.
func Demo() []byte { return demoJSON }

// IconPNG returns the window icon as PNG bytes (a square, 128x128 pixels).
func IconPNG() []byte { return iconPNG }

// Icon decodes the window icon.
func Icon() (image.Image, error) {
	img, err := png.Decode(bytes.NewReader(iconPNG))
	if err != nil {
		return nil, fmt.Errorf("assets: icon.png: %w", err)
	}
	return img, nil
}
