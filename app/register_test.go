package app

import (
	"runtime"
	"strings"
	"testing"
)

// memRegistry is a registry in a map: "KEY|NAME" → value.
type memRegistry map[string]string

func (m memRegistry) Get(key, name string) string { return m[key+"|"+name] }
func (m memRegistry) Set(key, name, value string) error {
	m[key+"|"+name] = value
	return nil
}
func (m memRegistry) DeleteValue(key, name string) error {
	delete(m, key+"|"+name)
	return nil
}
func (m memRegistry) DeleteTree(key string) error {
	for k := range m {
		if strings.HasPrefix(k, key+`\`) || strings.HasPrefix(k, key+"|") {
			delete(m, k)
		}
	}
	return nil
}

func TestRegister(t *testing.T) {
	const exe = `C:\Users\Zoë Müller\Mes documents\mbotdraw 1.0\mbotdraw.exe`
	reg := memRegistry{
		`Software\Classes\.svc|`:  "Other.Program", // someone else opens .svc: keep it
		`Software\Classes\.json|`: "VSCode.json",
	}
	if err := register(reg, exe); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		`Software\Classes\mbotdraw.drawing\shell\open\command|`: `"` + exe + `" "%1"`,
		`Software\Classes\mbotdraw.drawing\DefaultIcon|`:        `"` + exe + `",0`,
		`Software\Classes\.ndjson|`:                             "mbotdraw.drawing",
		`Software\Classes\.inkml|`:                              "mbotdraw.drawing",
		`Software\Classes\.svc|`:                                "Other.Program",
		`Software\Classes\.json|`:                               "VSCode.json",
		`Software\Classes\.svg|`:                                "",
	} {
		if got := reg[key]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	for _, ext := range []string{".ndjson", ".json", ".svg", ".svc"} {
		if _, ok := reg[`Software\Classes\`+ext+`\OpenWithProgids|mbotdraw.drawing`]; !ok {
			t.Errorf("%s: mbotdraw not in Open with", ext)
		}
	}
	if err := unregister(reg); err != nil {
		t.Fatal(err)
	}
	for k, v := range reg {
		if strings.Contains(k, "mbotdraw") || v == "mbotdraw.drawing" {
			t.Errorf("left behind after --undo: %s = %q", k, v)
		}
	}
	if reg[`Software\Classes\.svc|`] != "Other.Program" || reg[`Software\Classes\.json|`] != "VSCode.json" {
		t.Errorf("--undo touched other programs' links: %v", reg)
	}
}

func TestRegisterElsewhere(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("this is the message for other systems")
	}
	_, stderr, status := fileCmd(t, "register")
	if status != 1 || !strings.Contains(stderr, "register is for Windows") {
		t.Errorf("register on %s: status %d, %q", runtime.GOOS, status, stderr)
	}
}
