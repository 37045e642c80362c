package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/fnguard/fnguard/config"
)

// New returns the handler that serves the app on the local server, whose
// tokens come from issuer, beside the handlers of mounts (by path prefix):
// the page lists the strategies mounted there. netlifyTokenURL is the
// development token exchange for the nf_jwt cookie, or "" when none runs.
func New(c config.Config, issuer string, mounts map[string]http.Handler, netlifyTokenURL string) (http.Handler, error) {
	sc, err := NewConfig(c, issuer, func(prefix string) bool { return mounts[prefix] != nil })
	if err != nil {
		return nil, err
	}
	sc.NetlifyTokenURL = netlifyTokenURL
	return Handler(Files(), sc)
}

// RedirectURIs are the pages the development issuer may send a signed-in
// user back to: the app on the local server at port, under both names a
// browser may use for it, and the app on each origin allowed to call the
// API cross-origin.
func RedirectURIs(port int, corsOrigins []string) []string {
	uris := []string{
		fmt.Sprintf("http://127.0.0.1:%d/", port),
		fmt.Sprintf("http://localhost:%d/", port),
	}
	for _, o := range corsOrigins {
		if o != "*" && !slices.Contains(uris, o+"/") {
			uris = append(uris, o+"/")
		}
	}
	return uris
}
