package bridge

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// CheckListen refuses to listen beyond loopback without a token: anyone on
// the network could otherwise drive the robot or the window. addr is a
// host:port as net.Listen takes it; an empty host means every interface.
func CheckListen(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if token != "" || isLoopbackHost(host) {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "every interface"
	}
	return fmt.Errorf("listen address %q reaches beyond this computer (%s): set --token so only those who know it can connect, or listen on 127.0.0.1", addr, shown)
}

// isLoopbackHost reports whether host names this computer only.
func isLoopbackHost(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authorized reports whether the request carries the token, as
// "Authorization: Bearer T" or as the query parameter token=T. An empty token
// lets everyone in.
func authorized(r *http.Request, token string) bool {
	if token == "" {
		return true
	}
	got := ""
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		got = strings.TrimSpace(h[7:])
	} else {
		got = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// originAllowed decides whether a browser page may connect. Without a token
// the server listens on loopback only, and anything but a loopback name or
// address in the Host header (or the Origin) is a web page on a foreign site
// whose name was made to resolve to 127.0.0.1 (DNS rebinding): refused, so
// that such a page cannot draw on the robot or read the window's drawing.
// With a token, clients that send no Origin (programs, not browsers), pages
// served by this host and pages on loopback are let in; the token does the
// rest.
func originAllowed(r *http.Request, token string) bool {
	origin := r.Header.Get("Origin")
	if token == "" && !isLoopbackHost(hostOnly(r.Host)) {
		return false
	}
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if token == "" {
		return isLoopbackHost(u.Hostname())
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return isLoopbackHost(u.Hostname())
}

// hostOnly strips the port from a Host header ("127.0.0.1:8765",
// "[::1]:8765", "localhost").
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// Guard lets a request through to h only under the bridge's rules: with a
// token, the request must carry it (401 otherwise); without one, the Host
// and any Origin must be loopback names or addresses (403 otherwise), as for
// /robot. The player page and other plain HTTP pages use it.
func Guard(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mbotdraw"`)
			http.Error(w, "a token is needed: open the address with ?token=… as the teacher gave it", http.StatusUnauthorized)
			return
		}
		if !originAllowed(r, token) {
			http.Error(w, "this page may only be opened from this computer (or with a token)", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
