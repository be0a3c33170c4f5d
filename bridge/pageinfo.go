package bridge

import "net/http"

// InfoPath is where a bridge that serves pages (Options.Pages: `bridge
// --serve-player`) tells them about itself, as JSON: {"robot": "/robot"},
// the path of its robot at the page's own origin. The browser player reads
// it to offer the bridge's robot, and to draw on it by default; a page
// served by `serve` finds nothing there (404) and has the virtual mBot
// only. It is behind the same rules as the pages (Guard): the token, and
// no foreign page may read it.
const InfoPath = "/bridge.json"

// serveInfo answers InfoPath.
func serveInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(`{"robot":"/robot"}` + "\n"))
}
