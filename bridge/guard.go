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

// originAllowed lets in clients that send no Origin (programs, not browsers),
// pages served by this host, and pages on loopback. Anything else is a page
// on another site trying to use the visitor's browser to reach us.
func originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return isLoopbackHost(u.Hostname())
}
