package netlifydev

import (
	"cmp"
	"log/slog"
	"net/http"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/flagship"
	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/strategies/provider"
	"github.com/fnguard/fnguard/web"
)

// Options are what the local server is built from.
type Options struct {
	Config config.Config
	// Provider is AUTH_PROVIDER's configuration, which the functions
	// authenticate their callers with.
	Provider provider.Config
	// Port is the port the server listens on: the development issuer's
	// URL, and the pages it may send a user back to, name it.
	Port int
	Log  *slog.Logger
}

// Site is the local server's handler, and what it knows of itself.
type Site struct {
	http.Handler
	// Issuer is the issuer whose tokens are accepted: the development
	// issuer's URL when it runs.
	Issuer string
}

// New builds the local server: the flagship, every function, netlify.toml's
// role rules in front of them, the page, and the development issuer when no
// issuer is configured.
func New(o Options) (*Site, error) {
	cfg, log := o.Config, o.Log
	var dev *devSite
	issuer := cfg.Issuer
	if cfg.DevIssuer {
		var err error
		if dev, err = newDevSite(cfg, o.Port, log); err != nil {
			return nil, err
		}
		issuer = dev.issuer.URL
	}
	verifier, err := cfg.Verifier(issuer, log)
	if err != nil {
		return nil, err
	}
	tokens, err := cfg.TokenIssuer(log)
	if err != nil {
		return nil, err
	}
	file, rules, identity, err := readRules(cfg, log)
	if err != nil {
		return nil, err
	}
	d, err := deps(o.Provider, verifier, identity, tokens, cfg.OneTime.RedisURL, cfg.DevIssuer, log)
	if err != nil {
		return nil, err
	}
	byName, err := serveFunctions(d, o.Provider.Provider == provider.Netlify)
	if err != nil {
		return nil, err
	}
	mounts := make(map[string]http.Handler, len(byName)+1)
	for name, h := range byName {
		mounts[functions.Path+"/"+name] = h
	}
	// Development only: the page trades its access token there for the
	// nf_jwt cookie the role rules read (exchange.go).
	var netlifyTokenURL string
	if dev != nil && d.Identity != nil {
		netlifyTokenURL = dev.serveExchange(handleNetlifyToken(verifier, identity, dev.issuer.AllowsOrigin, cmp.Or(cfg.DevAccessTTL, maxNetlifyTokenTTL)))
	}
	// Last, so that the page lists every function mounted above. The
	// same configuration gives the CSP of the role rules' fallback pages.
	var csp string
	sc, err := web.NewConfig(cfg, issuer, func(prefix string) bool { return mounts[prefix] != nil })
	if err == nil {
		sc.NetlifyTokenURL = netlifyTokenURL
		csp = sc.CSP()
		var spa http.Handler
		if spa, err = web.Handler(web.Files(), sc); err == nil {
			mounts["/"] = spa
		}
	}
	if err != nil {
		log.Warn("single-page app not served", "reason", err.Error())
	}
	// The flagship, built as in Lambda (package flagship), is the site's
	// router: /api is its own, everything else is mounted on it.
	var h http.Handler = flagship.Router(cfg, verifier, tokens, log, mounts)
	if d.Identity != nil && len(rules) > 0 {
		if h, err = NewRoleRules(RoleRulesOptions{Rules: rules, Verifier: d.Identity, Functions: byName, Files: web.Files(), Headers: file.Headers, CSP: csp, Log: log}, h); err != nil {
			return nil, err
		}
	}
	if dev != nil {
		h = dev.front(h)
	}
	return &Site{Handler: h, Issuer: issuer}, nil
}
