//go:build windows

package app

import (
	"errors"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// userRegistry is HKEY_CURRENT_USER.
type userRegistry struct{}

func openRegistry() (regStore, error) { return userRegistry{}, nil }

func (userRegistry) Get(key, name string) string {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.QUERY_VALUE)
	if err != nil {
		return ""
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if err != nil {
		return ""
	}
	return v
}

func (userRegistry) Set(key, name, value string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.SetStringValue(name, value); err != nil {
		return err
	}
	notifyAssociations()
	return nil
}

func (userRegistry) DeleteValue(key, name string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	return nil
}

// DeleteTree deletes key's subkeys, deepest first, then key.
func (r userRegistry) DeleteTree(key string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	subs, err := k.ReadSubKeyNames(-1)
	k.Close()
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := r.DeleteTree(key + `\` + s); err != nil {
			return err
		}
	}
	i := strings.LastIndex(key, `\`)
	parent, err := registry.OpenKey(registry.CURRENT_USER, key[:i], registry.ALL_ACCESS)
	if err != nil {
		return err
	}
	defer parent.Close()
	return registry.DeleteKey(parent, key[i+1:])
}

var procSHChangeNotify = windows.NewLazySystemDLL("shell32.dll").NewProc("SHChangeNotify")

// notifyAssociations tells Explorer that file associations changed.
func notifyAssociations() {
	const shcneAssocChanged, shcnfIDList = 0x08000000, 0
	if procSHChangeNotify.Find() == nil {
		procSHChangeNotify.Call(shcneAssocChanged, shcnfIDList, 0, 0)
	}
}
