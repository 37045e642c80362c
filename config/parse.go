package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// parseBool reads a boolean setting strictly: "true" or "false" and
// nothing else. strconv.ParseBool also takes "1", "t" and "T", and a value
// it refuses would otherwise quietly mean false: a typo must not flip a
// safety setting in either direction without a word.
func parseBool(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q: want true or false", v)
}

// Bool reads the boolean setting name through getenv: false when unset,
// else exactly "true" or "false"; anything else is an error naming name.
func Bool(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// checkHostName accepts a DNS host name (RFC 1123 labels, at least two of
// them): AUTH0_DOMAIN becomes the issuer https://DOMAIN/, which must match
// the tokens' iss exactly, so anything else would refuse every token.
func checkHostName(h string) error {
	if len(h) > 253 || net.ParseIP(h) != nil {
		return fmt.Errorf("%q: give the tenant's host name, like tenant.eu.auth0.com", h)
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%q: give the tenant's full host name, like tenant.eu.auth0.com", h)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%q: give the tenant's host name, like tenant.eu.auth0.com", h)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("%q: give the tenant's host name, like tenant.eu.auth0.com", h)
			}
		}
	}
	return nil
}

// checkOrigin accepts an origin exactly as a browser sends it in the Origin
// header (RFC 6454 §6.2): scheme://host[:port], lower case, no default
// port, no path, no trailing slash. Anything else either never matches (a
// silently broken CORS setup) or, with a "*" inside, is read by go-chi/cors
// as a pattern: https://*example.com would admit https://evilexample.com.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return fmt.Errorf("%q: want an origin like https://app.example.com", o)
	case strings.Contains(o, "*"):
		return fmt.Errorf("%q: wildcards are not patterns here; list each origin, or give * alone to allow every origin", o)
	case u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(o, "#"):
		return fmt.Errorf("%q: an origin has no user, path, trailing slash, query or fragment (browsers send https://app.example.com)", o)
	case o != strings.ToLower(o):
		return fmt.Errorf("%q: browsers send origins in lower case; write it so, or it never matches", o)
	case u.Scheme == "https" && u.Port() == "443", u.Scheme == "http" && u.Port() == "80":
		return fmt.Errorf("%q: browsers leave the default port out of an origin; so must this", o)
	}
	return nil
}
