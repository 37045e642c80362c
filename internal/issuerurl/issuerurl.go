// Package issuerurl decides which URLs may serve key material: an issuer,
// its discovery document and its JWKS.
package issuerurl

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Check accepts https URLs, and http only for loopback hosts (a
// development issuer on this machine): keys fetched over plain http from
// anywhere else could be swapped by anyone on the path.
func Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http is only allowed for loopback hosts", raw)
	default:
		return fmt.Errorf("%q: scheme must be https", raw)
	}
}

// IsLoopbackHost reports whether host names this machine: "localhost" or a
// loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
