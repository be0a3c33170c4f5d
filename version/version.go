// Package version says which build of mbotdraw is running: its version, the
// commit it was built from and the Go release that built it.
//
// The figures come from the linker when `make dist` sets them
// (-X mbotdraw/version.tag=… -X mbotdraw/version.commit=…), and otherwise
// from the build information Go writes into every binary
// (runtime/debug.ReadBuildInfo): a `go install` of a tagged module reports
// its tag, a `go build` or `go install` in a git checkout a pseudo-version
// with the commit (Go 1.24 and later), and a build with no version control
// "(devel)".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the linker in release builds (see the Makefile's dist target).
var (
	tag    string // "v0.3.0", or the short commit when there is no tag
	commit string // the full commit hash
)

// Info describes a build.
type Info struct {
	// Version is the release ("v0.3.0"), a Go pseudo-version
	// ("v0.0.0-20261126205221-832c114e4bd4"), or "(devel)".
	Version string
	// Commit is the git commit the build came from, "" when unknown.
	Commit string
	// Modified is true when the checkout had uncommitted changes.
	Modified bool
	// Go is the Go release that built the program ("go1.26.8").
	Go string
	// Platform is the operating system and processor the program was built
	// for ("windows/amd64", "linux/arm").
	Platform string
}

// Get returns this program's build information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(bi, tag, commit)
}

// from fills an Info from build information (nil when the binary has none)
// and the linker's values, which win when set.
func from(bi *debug.BuildInfo, tag, commit string) Info {
	in := Info{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if bi.GoVersion != "" {
			in.Go = bi.GoVersion
		}
		if v := bi.Main.Version; v != "" {
			in.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Commit = s.Value
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	if tag != "" {
		in.Version = tag
	}
	if commit != "" {
		in.Commit = commit
	}
	if strings.HasSuffix(in.Version, "+dirty") {
		in.Modified = true
	}
	return in
}

// Short is the version alone with a shortened commit when the version does
// not already name it: "v0.3.0", "(devel) 832c114", "(devel)".
func (in Info) Short() string {
	s := in.Version
	if c := shortCommit(in.Commit); c != "" && !strings.Contains(s, c) {
		s += " " + c
	}
	if in.Modified && !strings.HasSuffix(s, "+dirty") {
		s += " (modified)"
	}
	return s
}

// String is the whole line --version prints after the program's name:
// "v0.3.0 (commit 832c114e4bd4…, go1.26.8, linux/amd64)".
func (in Info) String() string {
	c := in.Commit
	if c == "" {
		c = "unknown"
	}
	mod := ""
	if in.Modified {
		mod = ", with uncommitted changes"
	}
	return fmt.Sprintf("%s (commit %s%s, %s, %s)", in.Version, c, mod, in.Go, in.Platform)
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
