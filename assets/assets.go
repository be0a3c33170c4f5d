// Package assets holds the files the programs carry inside them: the demo
// drawing that the window opens when no file is given, and the window icon.
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
	_ "embed"
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
