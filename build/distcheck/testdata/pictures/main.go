// Command pictures prints where mbotdraw saves (folder.Saves("")) and its
// settings folder, so that make test-dist can check them under Wine.
package main

import (
	"fmt"
	"os"

	"mbotdraw/app/folder"
)

func main() {
	pics, err := folder.Pictures()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	saves, err := folder.Saves("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(pics)
	fmt.Println(saves)
}
