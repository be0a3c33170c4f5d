//go:build !linux

package link

import "errors"

// StartPTY is available on Linux only; elsewhere the virtual mBot serves
// in-process links (Pipe, Open("sim")).
func (v *Virtual) StartPTY(link string) (string, error) {
	return "", errors.New("virtual mBot: pseudo-terminals are supported on Linux only; use the in-process link (sim)")
}

func (v *Virtual) closePTYLocked() {}
