package web

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/fnguard/fnguard/config"
)

// Config is what the page reads from /spa-config.json: where to sign in,
// for which API, and what to call. It holds nothing secret; a public
// client has no secret.
type Config struct {
	// Domain is auth0-spa-js's "domain": the issuer URL without its
	// trailing slash (https://tenant.eu.auth0.com, or the development
	// issuer's http://127.0.0.1:8080/dev-issuer).
	Domain   string `json:"domain"`
	ClientID string `json:"clientId"`
	Audience string `json:"audience"`
	// APIOrigin is prepended to every path; empty means the page's own
	// origin, as on Netlify (/api/* is a rewrite to the function) and
	// with `go run .`.
	APIOrigin string `json:"apiOrigin"`
	// MePath is the endpoint that tells the page who the token's user is.
	MePath    string     `json:"mePath"`
	DevIssuer bool       `json:"devIssuer"`
	Endpoints []Endpoint `json:"endpoints"`
	// NetlifyTokenURL is where the page trades its access token for the
	// Identity token it puts in the nf_jwt cookie for the Cookie rows. Only
	// the local development server has one; empty, the page leaves nf_jwt
	// alone (on Netlify, Netlify Identity sets it: README "Proxy-level
	// protection").
	NetlifyTokenURL string `json:"netlifyTokenUrl,omitempty"`
}

// NewConfig is the page's configuration for a server configured by c whose
// tokens come from issuer (the development issuer's URL when it runs), and
// where served reports which strategies' prefixes are served.
func NewConfig(c config.Config, issuer string, served func(prefix string) bool) (Config, error) {
	// auth0-spa-js expects the ID token's "iss" to be domain + "/", which
	// is how Auth0 writes its issuer; an issuer without the slash (some
	// other providers) would fail that check after every sign-in.
	if !strings.HasSuffix(issuer, "/") {
		return Config{}, fmt.Errorf("spa config: issuer %q must end in /, as Auth0's does", issuer)
	}
	if c.SPAClientID == "" {
		return Config{}, errors.New("spa config: AUTH0_CLIENT_ID is required (the single-page application's client ID in Auth0)")
	}
	if len(c.Audiences) == 0 || len(c.BasePaths) == 0 {
		return Config{}, errors.New("spa config: an audience and a base path are required")
	}
	base := c.BasePaths[0]
	return Config{
		Domain:    strings.TrimSuffix(issuer, "/"),
		ClientID:  c.SPAClientID,
		Audience:  c.Audiences[0],
		MePath:    base + "/me",
		DevIssuer: c.DevIssuer,
		Endpoints: Endpoints(base, served),
	}, nil
}

// origins are the origins the page talks to, for its connect-src.
func (c Config) origins() []string {
	var out []string
	for _, raw := range []string{c.Domain, c.APIOrigin, c.NetlifyTokenURL} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" && !slices.Contains(out, u.Scheme+"://"+u.Host) {
			out = append(out, u.Scheme+"://"+u.Host)
		}
	}
	return out
}
