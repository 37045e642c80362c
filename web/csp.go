package web

import (
	"fmt"
	"strings"
)

// CSP is the page's Content-Security-Policy for configuration c: the page
// runs no inline script and no script from anywhere else, so an injection
// has nowhere to load code from, and it may connect only to itself, its
// issuer (an Auth0 tenant, a custom domain, any OIDC issuer) and its API.
// The local server sends it; on Netlify, NetlifyHeaders carries it.
func (c Config) CSP() string {
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src " + strings.Join(append([]string{"'self'"}, c.origins()...), " ") + "; " +
		"frame-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

// NetlifyHeaders is the _headers file Netlify's build publishes beside the
// page: c's CSP for every page. netlify.toml cannot hold it, because the
// issuer is known only from the site's environment at build time.
func NetlifyHeaders(c Config) string {
	return fmt.Sprintf(`# Written by go run ./web/cmd/spaconfig from the site's environment, by the
# code that builds the local server's policy (package web).
/*
  Content-Security-Policy: %s
`, c.CSP())
}
