package app

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// outFlag is an output flag that may come alone: "--png OUT.png",
// "--png=OUT.png", or "--png" with the name given as the next argument or,
// when there is none, made from the input file's.
type outFlag struct {
	name string // the flag's name: "png"
	path string
	set  bool
	ext  string // ".png"
	what string // "picture"
	all  *outFlags
}

func (f *outFlag) String() string { return f.path }

// IsBoolFlag lets the flag come alone.
func (f *outFlag) IsBoolFlag() bool { return true }

func (f *outFlag) Set(s string) error {
	switch s {
	case "false":
		f.set, f.path = false, ""
		return nil
	case "true":
		s = ""
	}
	if !f.set {
		f.all.order = append(f.all.order, f)
	}
	f.set, f.path = true, s
	return nil
}

// outFlags are a command's output flags, in the order given.
type outFlags struct {
	order []*outFlag
}

// add defines flag --name, writing name's extension.
func (o *outFlags) add(fs *flag.FlagSet, name, usage string) *outFlag {
	what := map[string]string{"png": "picture", "gif": "animation"}[name]
	f := &outFlag{name: name, ext: "." + name, what: what, all: o}
	fs.Var(f, name, usage)
	return f
}

// bind joins each of these flags to the argument after it when that
// argument ends in the flag's extension ("--png cat.png" → "--png=cat.png"),
// so that a flag that may come alone still takes its file name as people
// write it.
func (o *outFlags) bind(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		var f *outFlag
		if fl := fs.Lookup(strings.TrimLeft(a, "-")); fl != nil && strings.HasPrefix(a, "-") {
			f, _ = fl.Value.(*outFlag)
		}
		if f != nil && !strings.Contains(a, "=") && i+1 < len(args) && strings.EqualFold(filepath.Ext(args[i+1]), f.ext) {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// name gives each flag that came alone a file: the next of extra (the
// arguments after the input), else a new name in the current folder made
// from input's ("cat.ndjson" → "cat.png", or "cat-2.png" when that is
// taken), and says which.
func (o *outFlags) name(env *Env, input string, extra []string) error {
	for _, f := range o.order {
		if f.path == "" && len(extra) == 0 && strings.EqualFold(filepath.Ext(input), f.ext) {
			return usagef("missing FILE: %s is where the %s would go; name the drawing to export first", input, f.what)
		}
	}
	for _, f := range o.order {
		if f.path != "" {
			continue
		}
		if len(extra) > 0 {
			f.path, extra = extra[0], extra[1:]
			continue
		}
		f.path = freeName(outBase(input), f.ext)
		fmt.Fprintf(env.Stdout, "No name given for the %s: saving it as %s\n", f.what, f.path)
	}
	if len(extra) > 0 {
		return usagef("unexpected argument %q", extra[0])
	}
	return nil
}

// outBase is input's name without its folder and its extensions
// ("drawings/cat.mbd.json" → "cat").
func outBase(input string) string {
	b := filepath.Base(input)
	if i := strings.IndexByte(b[min(1, len(b)):], '.'); i >= 0 {
		b = b[:i+1]
	}
	if b == "" || b == "." || b == string(filepath.Separator) {
		b = "drawing"
	}
	return b
}

// freeName returns base+ext, or base-2+ext, base-3+ext, …: the first name
// no file has in the current folder.
func freeName(base, ext string) string {
	p := base + ext
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); os.IsNotExist(err) {
			return p
		}
		p = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
}
