package folder

import (
	"path/filepath"
	"testing"
)

// TestPicturesIsTheKnownFolder: on Windows the Pictures folder is the
// shell's FOLDERID_Pictures, an absolute path.
func TestPicturesIsTheKnownFolder(t *testing.T) {
	p := picturesOS()
	if p == "" || !filepath.IsAbs(p) {
		t.Fatalf("FOLDERID_Pictures = %q, want an absolute path", p)
	}
	got, err := Pictures()
	if err != nil || got != p {
		t.Errorf("Pictures() = %q, %v; want the known folder %q", got, err, p)
	}
}
