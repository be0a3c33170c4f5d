package bridge

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Pages served beside /robot (the browser player) keep the bridge's rules:
// the token when there is one; without one, loopback Host and Origin only, so
// that a foreign page whose name resolves to 127.0.0.1 cannot read them.
func TestPagesAreGuardedLikeTheRobot(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the page") })
	_, openSrv := newTestServer(t, &Recorder{}, Options{Pages: page})
	_, tokSrv := newTestServer(t, &Recorder{}, Options{Pages: page, Token: "s3cret"})
	for _, c := range []struct {
		name, base, path string
		hdr              map[string]string
		want             int
	}{
		{"loopback", openSrv.URL, "/", nil, 200},
		{"loopback, own origin", openSrv.URL, "/", map[string]string{"Origin": openSrv.URL}, 200},
		{"rebound name", openSrv.URL, "/", map[string]string{"Host": "evil.example"}, 403},
		{"foreign origin", openSrv.URL, "/", map[string]string{"Origin": "http://evil.example"}, 403},
		{"token missing", tokSrv.URL, "/", nil, 401},
		{"token wrong", tokSrv.URL, "/?token=nope", nil, 401},
		{"token in query", tokSrv.URL, "/?token=s3cret", nil, 200},
		{"token as bearer, any host", tokSrv.URL, "/", map[string]string{"Authorization": "Bearer s3cret", "Host": "teacher-pc:8765"}, 200},
	} {
		status, b := get(t, c.base+c.path, c.hdr)
		if status != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.name, status, c.want)
		}
		if served := strings.Contains(string(b), "the page"); served != (c.want == 200) {
			t.Errorf("%s: page served %v with HTTP %d", c.name, served, status)
		}
	}
	// /robot is still the robot, not the page.
	if got := dialStatus(t, wsURL(openSrv, "/robot"), nil); got != 0 {
		t.Errorf("/robot beside pages: HTTP %d, want a WebSocket", got)
	}
}

// A bridge that serves pages tells them where its robot is (InfoPath), under
// the pages' rules; one that serves no pages says nothing there.
func TestInfoTellsPagesWhereTheRobotIs(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	_, bare := newTestServer(t, &Recorder{}, Options{})
	_, openSrv := newTestServer(t, &Recorder{}, Options{Pages: page})
	_, tokSrv := newTestServer(t, &Recorder{}, Options{Pages: page, Token: "s3cret"})
	for _, c := range []struct {
		name, url, origin string
		want              int
	}{
		{"no pages", bare.URL + InfoPath, "", 404},
		{"loopback", openSrv.URL + InfoPath, "", 200},
		{"own page", openSrv.URL + InfoPath, openSrv.URL, 200},
		{"foreign page", openSrv.URL + InfoPath, "http://evil.example", 403},
		{"token missing", tokSrv.URL + InfoPath, "", 401},
		{"token, own page", tokSrv.URL + InfoPath + "?token=s3cret", tokSrv.URL, 200},
		{"token, foreign page", tokSrv.URL + InfoPath + "?token=s3cret", "http://evil.example", 403},
	} {
		var hdr map[string]string
		if c.origin != "" {
			hdr = map[string]string{"Origin": c.origin}
		}
		status, b := get(t, c.url, hdr)
		if status != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.name, status, c.want)
			continue
		}
		if c.want == 200 && strings.TrimSpace(string(b)) != `{"robot":"/robot"}` {
			t.Errorf("%s: %q, want the robot's path", c.name, b)
		}
	}
}

// get fetches url with the headers hdr ("Host" sets the request's Host, as
// a page on a rebound name would send it) and returns the status and body.
func get(t *testing.T, url string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
