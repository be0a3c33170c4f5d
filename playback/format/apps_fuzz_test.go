package format

import (
	"testing"

	"mbotdraw/playback"
)

// Fuzz targets of the app ink loaders, held to checkLoaded's contract.

func FuzzWriteMath(f *testing.F) {
	addFiles(f, "apps/writemath/*.json", 3000)
	f.Add([]byte(`[[{"x":1,"y":2,"time":3},{"x":1.5,"y":-2,"time":1}],[{"x":0,"y":0,"time":1e12}]]`))
	f.Add([]byte(`[[{"x":1,"y":2}],[{"y":0,"x":0,"z":[1,{}]}]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeWriteMath("f.json", data, Options{})
		checkLoaded(t, "f.json", []*playback.Drawing{d}, err)
	})
}

func FuzzMyScript(f *testing.F) {
	addFiles(f, "apps/myscript-iink/*.json", 3000)
	f.Add([]byte(`[{"type":"shape","points":[{"x":1,"y":1}]},{"type":"stroke","style":{"color":"#ff000080","width":3,"opacity":0.5},"pointers":[{"x":1,"y":2,"t":5,"p":1},{"x":2,"y":3,"t":9}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeMyScript("f.json", data, Options{})
		checkLoaded(t, "f.json", []*playback.Drawing{d}, err)
	})
}

func FuzzTldraw(f *testing.F) {
	addFiles(f, "apps/tldraw-v1/*.tldr", 4000)
	f.Add([]byte(`{"document":{"pages":{"a":{"name":"A","shapes":{"1":{"type":"draw","point":[5,5],"rotation":1,"style":{"color":"red","size":"large"},"points":[[0,0,0.5],[3,4,0.5]]},` +
		`"2":{"type":"rectangle","point":[0,0],"size":[10,5]},"3":{"type":"ellipse","point":[1,1],"radius":[4,2],"rotation":0.3},"4":{"type":"draw","points":[]}}},"b":{"shapes":{}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := decodeTldraw("f.tldr", data, Options{})
		checkLoaded(t, "f.tldr", ds, err)
		if err == nil {
			checkLoaded(t, "f.tldr", []*playback.Drawing{Gallery(ds)}, nil)
		}
	})
}

func FuzzExcalidraw(f *testing.F) {
	addFiles(f, "apps/excalidraw/*.excalidrawlib", 4000)
	f.Add([]byte(`{"type":"excalidrawlib","version":1,"library":[[{"type":"freedraw","x":1,"y":2,"angle":0.5,"points":[[0,0],[1,1]],"strokeColor":"#abc","opacity":30},` +
		`{"type":"ellipse","x":0,"y":0,"width":10,"height":4},{"type":"diamond","x":0,"y":0,"width":3,"height":3,"isDeleted":false}],[]]}`))
	f.Add([]byte(`{"type":"excalidraw","elements":[{"type":"arrow","x":1,"y":1,"points":[[0,0],[5,5]]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := decodeExcalidraw("f.excalidrawlib", data, Options{})
		checkLoaded(t, "f.excalidrawlib", ds, err)
	})
}

func FuzzInkML(f *testing.F) {
	addFiles(f, "inkml/*/*.xml", 4000)
	f.Add([]byte(`<ink xmlns="http://www.w3.org/2003/InkML"><definitions><context xml:id="c"><traceFormat><channel name="X" units="mm"/><channel name="Y" units="mm"/>` +
		`<intermittentChannels><channel name="F"/></intermittentChannels></traceFormat></context><brush xml:id="b"><brushProperty name="color" value="#102030"/>` +
		`<brushProperty name="width" value="1" units="mm"/><brushProperty name="transparency" value="128"/></brush></definitions>` +
		`<traceGroup brushRef="#b"><trace contextRef="#c" timeOffset="5">1 2 3,'1'1"2"-2-1.5.5</trace><trace timeOffset="1">0 0</trace></traceGroup></ink>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeInkML("f.inkml", data, Options{})
		checkLoaded(t, "f.inkml", []*playback.Drawing{d}, err)
	})
}

func FuzzSVC(f *testing.F) {
	addFiles(f, "tablet/*/*.svc", 3000)
	f.Add([]byte("4\n1 2 0 1 0 0 0\n1.5 2.5 0.007 1 0 0 0.5\n3 3 0.014 0 0 0 0\n9 9 0.02 1 0 0 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeSVC("f.svc", data, Options{})
		checkLoaded(t, "f.svc", []*playback.Drawing{d}, err)
	})
}
