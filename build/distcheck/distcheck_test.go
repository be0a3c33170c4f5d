//go:build distcheck

// Package distcheck checks the release archives that `make dist` left in
// dist/: what each holds, its checksums, and that the programs run where
// they are meant to, with the same results as on this computer:
//
//   - the Windows programs under Wine (Debian's wine64),
//   - the Raspberry Pi programs under qemu-user (Debian's qemu-user-static).
//
// `make test-dist` runs it (go test -tags distcheck ./build/distcheck). A
// check whose tool this machine lacks is skipped, saying which Debian
// package brings it (build/deps.sh installs them).
package distcheck

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const dist = "../../dist"

// archives finds the four archives of one version in dist/.
func archives(t *testing.T) map[string]string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dist, "mbotdraw-*-linux-amd64.tar.gz"))
	if len(m) != 1 {
		t.Fatalf("dist/ should hold one mbotdraw-VERSION-linux-amd64.tar.gz, found %v: run make dist", m)
	}
	prefix := strings.TrimSuffix(m[0], "linux-amd64.tar.gz")
	out := map[string]string{}
	for _, p := range []string{"windows-amd64.zip", "linux-amd64.tar.gz", "linux-arm64.tar.gz", "linux-armv7.tar.gz"} {
		name := prefix + p
		if _, err := os.Stat(name); err != nil {
			t.Fatalf("missing archive: %v", err)
		}
		out[strings.SplitN(p, ".", 2)[0]] = name
	}
	return out
}

// extract unpacks an archive into a new directory and returns the folder
// it holds (one top folder, named after the archive), with each file's
// mode.
func extract(t *testing.T, archive string) (string, map[string]os.FileMode) {
	t.Helper()
	dir := t.TempDir()
	modes := map[string]os.FileMode{}
	write := func(name string, mode os.FileMode, r io.Reader) {
		if strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
			t.Fatalf("%s: unsafe entry %q", archive, name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, r); err != nil {
			t.Fatal(err)
		}
		f.Close()
		modes[name] = mode
	}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			write(f.Name, f.Mode().Perm(), rc)
			rc.Close()
		}
	} else {
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				write(h.Name, os.FileMode(h.Mode).Perm(), tr)
			}
		}
	}
	top := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(archive), ".zip"), ".tar.gz")
	return filepath.Join(dir, top), modes
}

func TestArchiveContents(t *testing.T) {
	docs := []string{"README.md", "GETTING-STARTED.txt", "demo.mbd.json", "LICENSES.txt", "SHA256SUMS"}
	want := map[string][]string{
		"windows-amd64": {"mbotdraw.exe", "mbotdraw-headless.exe"},
		"linux-amd64":   {"mbotdraw", "mbotdraw-headless"},
		"linux-arm64":   {"mbotdraw-headless"},
		"linux-armv7":   {"mbotdraw-headless"},
	}
	for plat, archive := range archives(t) {
		t.Run(plat, func(t *testing.T) {
			dir, modes := extract(t, archive)
			top := filepath.Base(dir)
			var names []string
			for n := range modes {
				names = append(names, strings.TrimPrefix(n, top+"/"))
			}
			sort.Strings(names)
			exp := append(append([]string(nil), want[plat]...), docs...)
			if strings.HasPrefix(plat, "linux") {
				exp = append(exp, "99-mbot-dongle.rules")
			}
			sort.Strings(exp)
			if !reflect.DeepEqual(names, exp) {
				t.Fatalf("%s holds %v, want %v", archive, names, exp)
			}
			for _, p := range want[plat] {
				if modes[top+"/"+p]&0o111 == 0 {
					t.Errorf("%s is not executable (mode %v)", p, modes[top+"/"+p])
				}
			}
			checkSums(t, dir, "SHA256SUMS", len(exp)-1)
			lic, _ := os.ReadFile(filepath.Join(dir, "LICENSES.txt"))
			for _, mod := range []string{"Go standard library", "go.bug.st/serial", "golang.org/x/sys", "Quick, Draw!"} {
				if !bytes.Contains(lic, []byte(mod)) {
					t.Errorf("LICENSES.txt does not name %s", mod)
				}
			}
			if strings.HasPrefix(plat, "windows") || plat == "linux-amd64" {
				if !bytes.Contains(lic, []byte("github.com/hajimehoshi/ebiten/v2")) {
					t.Errorf("LICENSES.txt lacks Ebiten, which the window program links")
				}
			}
		})
	}
	checkSums(t, dist, "SHA256SUMS", 4)
}

// checkSums checks that a SHA256SUMS file lists n files, each with its sum.
func checkSums(t *testing.T, dir, name string, n int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("%s: bad line %q", name, sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatalf("%s lists %s: %v", name, file, err)
		}
		h := sha256.Sum256(data)
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: %s has another sum", name, file)
		}
		lines++
	}
	if lines != n {
		t.Errorf("%s lists %d files, want %d", name, lines, n)
	}
}

// result is what one run of a program did.
type result struct {
	Stdout, Stderr string
	Status         int
	Files          map[string]string // output files, by name
}

// run runs argv in dir with a generous timeout and reads the named output
// files back.
func run(t *testing.T, dir string, env []string, outputs []string, argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String(), Files: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	for _, o := range outputs {
		data, err := os.ReadFile(filepath.Join(dir, o))
		if err != nil {
			r.Files[o] = "(missing: " + err.Error() + ")"
			continue
		}
		r.Files[o] = string(data)
		os.Remove(filepath.Join(dir, o))
	}
	return r
}

// drawingDir makes a folder with a space and accents in its name holding
// a real Quick, Draw! file named with non-ASCII letters.
func drawingDir(t *testing.T) (dir, file string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "mes dessins été")
	os.MkdirAll(dir, 0o755)
	data, err := os.ReadFile("../../testdata/real/quickdraw/raw/cat.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	file = "chat été 猫.ndjson"
	if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

// cases are the commands both builds of the headless program run, with the
// files they write. bench is compared by its report's shape, not its times.
func cases(file string) []struct {
	name    string
	args    []string
	outputs []string
} {
	return []struct {
		name    string
		args    []string
		outputs []string
	}{
		{"info", []string{"info", file, "--index", "3"}, nil},
		{"info-json", []string{"info", file, "--json"}, nil},
		{"convert", []string{"convert", file, "chat converti.mbd.json"}, []string{"chat converti.mbd.json"}},
		{"plot-dry-run", []string{"plot", file, "--robot", "sim", "--dry-run", "--log", "trames été.jsonl"}, []string{"trames été.jsonl"}},
		{"bad-file", []string{"info", "absent.ndjson"}, nil},
	}
}

// compare runs the cases with the reference program (this computer's
// linux-amd64 build) and with the program under test, and wants the same
// output.
func compare(t *testing.T, dir, file string, ref, test func(outputs []string, args ...string) result) {
	for _, c := range cases(file) {
		t.Run(c.name, func(t *testing.T) {
			want := ref(c.outputs, c.args...)
			got := test(c.outputs, c.args...)
			got.Stdout = strings.ReplaceAll(got.Stdout, "\r\n", "\n")
			// ARM64 fuses multiply-adds (FMA), so a long float may end in
			// other digits: compare those to 10 significant digits.
			got.Stdout, want.Stdout = roundFloats(got.Stdout), roundFloats(want.Stdout)
			got.Stderr = strings.ReplaceAll(got.Stderr, "mbotdraw-headless.exe", "mbotdraw-headless")
			// The system's own words for a missing file (Windows: "The
			// system cannot find the file specified.", in the user's
			// language; Wine: "File not found.").
			for _, w := range []string{"The system cannot find the file specified.", "File not found."} {
				got.Stderr = strings.ReplaceAll(got.Stderr, w, "no such file or directory")
			}
			if c.name != "bad-file" && want.Status != 0 {
				t.Fatalf("the reference failed: %+v", want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("differs from linux-amd64:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	t.Run("bench", func(t *testing.T) {
		args := []string{"bench", "--strokes", "1000", "--seed", "7", "--size", "640x360", "--seconds", "2", "--json", "bench.json"}
		want := benchShape(t, ref([]string{"bench.json"}, args...))
		got := benchShape(t, test([]string{"bench.json"}, args...))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("bench report differs from linux-amd64's:\n got %v\nwant %v", got, want)
		}
	})
}

var longFloat = regexp.MustCompile(`-?\d+\.\d{6,}`)

// roundFloats rounds every number printed with many decimals to 10
// significant digits.
func roundFloats(s string) string {
	return longFloat.ReplaceAllStringFunc(s, func(f string) string {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return f
		}
		return strconv.FormatFloat(v, 'g', 10, 64)
	})
}

// benchShape keeps what two machines' bench reports must share: the input,
// the frames, the strategies and how many frames the incremental one
// measured (the naive one stops after a time budget, so its count depends
// on the machine's speed).
func benchShape(t *testing.T, r result) string {
	t.Helper()
	if r.Status != 0 {
		t.Fatalf("bench failed: %s", r.Stderr)
	}
	var rep struct {
		Input   map[string]any `json:"input"`
		Width   int            `json:"width"`
		Height  int            `json:"height"`
		Frames  int            `json:"frames"`
		Backend string         `json:"backend"`
		Results []struct {
			Strategy       string `json:"strategy"`
			FramesMeasured int    `json:"frames_measured"`
		} `json:"results"`
		Program struct {
			Version string `json:"version"`
		} `json:"program"`
	}
	if err := json.Unmarshal([]byte(r.Files["bench.json"]), &rep); err != nil {
		t.Fatalf("bench.json: %v", err)
	}
	for i, res := range rep.Results {
		if res.Strategy == "naive" {
			if res.FramesMeasured <= 0 {
				t.Errorf("naive measured no frames")
			}
			rep.Results[i].FramesMeasured = -1
		}
	}
	return fmt.Sprintf("%+v", rep)
}

// native returns a runner for a program of this computer's linux-amd64
// archive.
func native(t *testing.T, bin, dir string) func([]string, ...string) result {
	return func(outputs []string, args ...string) result {
		return run(t, dir, nil, outputs, append([]string{bin}, args...)...)
	}
}

func linuxHeadless(t *testing.T) string {
	t.Helper()
	dir, _ := extract(t, archives(t)["linux-amd64"])
	return filepath.Join(dir, "mbotdraw-headless")
}
