package netlifydev

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/web"
)

// NewDevIssuer is the development issuer of the local server on port, which
// `go run . token` also signs with: the port is part of its URL, so a token
// minted for one port is refused by a server on another.
func NewDevIssuer(cfg config.Config, port int) (*devissuer.Issuer, error) {
	key, err := devissuer.LoadOrCreateKey(cfg.DevKeyFile)
	if err != nil {
		return nil, err
	}
	iss := devissuer.New(config.IssuerURLFor(port), key, cfg.Audiences[0], cfg.RolesClaim)
	iss.AccessTTL, iss.RefreshTTL = cfg.DevAccessTTL, cfg.DevRefreshTTL
	return iss, nil
}

// devSite serves the development issuer under config.DevIssuerPath.
type devSite struct {
	issuer  *devissuer.Issuer
	routes  *http.ServeMux
	handler http.Handler
}

func newDevSite(cfg config.Config, port int, log *slog.Logger) (*devSite, error) {
	iss, err := NewDevIssuer(cfg, port)
	if err != nil {
		return nil, err
	}
	if err := iss.RegisterClient(devissuer.Client{ID: cfg.SPAClientID, RedirectURIs: web.RedirectURIs(port, cfg.CORSOrigins)}); err != nil {
		return nil, err
	}
	d := &devSite{issuer: iss, routes: http.NewServeMux()}
	d.routes.Handle("/", iss.Handler())
	d.handler = logger.Middleware(log)(http.StripPrefix(strings.TrimSuffix(config.DevIssuerPath, "/"), d.routes))
	return d, nil
}

// serveExchange serves the nf_jwt exchange beside the issuer, and returns
// its URL.
func (d *devSite) serveExchange(h http.Handler) string {
	d.routes.Handle("/"+netlifyTokenPath, h)
	return d.issuer.URL + netlifyTokenPath
}

// front puts the issuer in front of api. The issuer stands in for Auth0,
// another site with its own CORS rules (its token endpoint answers the
// app's origins, whatever the API allows), so it stays outside the API's
// middleware.
func (d *devSite) front(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, config.DevIssuerPath) {
			d.handler.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
