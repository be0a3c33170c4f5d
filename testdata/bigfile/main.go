// Command bigfile writes the large drawing files that the loaders' memory
// limits are measured on (too big to keep in the repository):
//
//	go run ./testdata/bigfile -o DIR
//
// writes, each about 200 MB:
//
//	quickdraw-line.ndjson   one Quick, Draw! raw drawing on one line
//	one-point-strokes.json  10,000,000 one-point strokes (mbotdraw JSON)
//	arcs.svg                one SVG path of 10,000,000 arcs
//
// Measure a loader's peak memory ("Maximum resident set size") with, for
// example:
//
//	/usr/bin/time -v mbotdraw-headless info --max-points 30000000 DIR/arcs.svg
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	dir := flag.String("o", ".", "folder to write the files in")
	flag.Parse()
	write(*dir, "quickdraw-line.ndjson", quickdrawLine)
	write(*dir, "one-point-strokes.json", onePointStrokes)
	write(*dir, "arcs.svg", arcs)
}

func write(dir, name string, f func(w *bufio.Writer)) {
	file, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(file, 1<<20)
	f(w)
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := file.Close(); err != nil {
		log.Fatal(err)
	}
}

// quickdrawLine: 4 raw strokes of 3,000,000 points, x and y 0–999, times
// in ms; about 18 bytes a point.
func quickdrawLine(w *bufio.Writer) {
	w.WriteString(`{"word":"big","countrycode":"US","key_id":"1","recognized":true,"drawing":[`)
	t := 0
	for s := range 4 {
		if s > 0 {
			w.WriteByte(',')
		}
		for k := range 3 {
			if k == 0 {
				w.WriteString("[[")
			} else {
				w.WriteString(",[")
			}
			for i := range 3_000_000 {
				if i > 0 {
					w.WriteByte(',')
				}
				var v int
				switch k {
				case 0:
					v = (s*7 + i*13) % 1000
				case 1:
					v = (s*11 + i*17) % 1000
				case 2:
					v = t + i*8
				}
				w.WriteString(strconv.Itoa(v))
			}
			w.WriteByte(']')
		}
		w.WriteByte(']')
		t += 8 * 3_000_000
	}
	w.WriteString("]}\n")
}

// onePointStrokes: 10^7 strokes of one untimed point each.
func onePointStrokes(w *bufio.Writer) {
	w.WriteString(`{"format":"mbotdraw","version":1,"width":1000,"height":1000,"strokes":[`)
	for i := range 10_000_000 {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"points":[[%d,%d]]}`, i%1000, i/1000%1000)
	}
	w.WriteString("]}\n")
}

// arcs: one path of 10^7 small arcs along a line.
func arcs(w *bufio.Writer) {
	w.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000"><path d="M0 500`)
	for i := range 10_000_000 {
		fmt.Fprintf(w, " A5 5 0 0 1 %d 500", (i+1)%1000)
	}
	w.WriteString(`"/></svg>`)
	w.WriteByte('\n')
}
