package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFrom(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "832c114e4bd4b34533f38b1870c3bb957c716574"
	tests := []struct {
		name        string
		bi          *debug.BuildInfo
		tag, commit string
		want        Info
		short       string
	}{
		{"no build info", nil, "", "", Info{Version: "(devel)"}, "(devel)"},
		{"plain go build, no vcs", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "", "",
			Info{Version: "(devel)", Go: "go1.26.8"}, "(devel)"},
		{"go install in a checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261126205221-832c114e4bd4"}, Settings: vcs(rev, "false")}, "", "",
			Info{Version: "v0.0.0-20261126205221-832c114e4bd4", Commit: rev, Go: "go1.26.8"}, "v0.0.0-20261126205221-832c114e4bd4"},
		{"dirty checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261126205221-832c114e4bd4+dirty"}, Settings: vcs(rev, "true")}, "", "",
			Info{Version: "v0.0.0-20261126205221-832c114e4bd4+dirty", Commit: rev, Modified: true, Go: "go1.26.8"}, "v0.0.0-20261126205221-832c114e4bd4+dirty"},
		{"go install module@v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}}, "", "",
			Info{Version: "v1.2.0", Go: "go1.26.8"}, "v1.2.0"},
		{"release build: the linker wins", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "v0.3.0", rev,
			Info{Version: "v0.3.0", Commit: rev, Go: "go1.26.8"}, "v0.3.0 832c114e4bd4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := from(tc.bi, tc.tag, tc.commit)
			if tc.want.Go == "" {
				tc.want.Go = got.Go // the running Go when the binary says nothing
			}
			tc.want.Platform = got.Platform
			if got != tc.want {
				t.Errorf("from = %+v, want %+v", got, tc.want)
			}
			if s := got.Short(); s != tc.short {
				t.Errorf("Short = %q, want %q", s, tc.short)
			}
			s := got.String()
			for _, part := range []string{got.Version, got.Go, got.Platform} {
				if !strings.Contains(s, part) {
					t.Errorf("String %q lacks %q", s, part)
				}
			}
			if got.Commit != "" && !strings.Contains(s, got.Commit) {
				t.Errorf("String %q lacks the commit", s)
			}
		})
	}
}

// The test binary itself carries build information: Get must not come back
// empty.
func TestGet(t *testing.T) {
	in := Get()
	if in.Version == "" || in.Go == "" || !strings.Contains(in.Platform, "/") {
		t.Fatalf("Get = %+v", in)
	}
}
