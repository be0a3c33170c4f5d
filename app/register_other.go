//go:build !windows

package app

import "errors"

func openRegistry() (regStore, error) { return nil, errors.New("register: no registry here") }
