package netlifydev

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
)

// TokenVerifier checks an nf_jwt token; *auth.Netlify is one.
type TokenVerifier interface {
	VerifyToken(ctx context.Context, token string) (*auth.Principal, error)
}

// RoleRulesOptions are the role rules' dependencies.
type RoleRulesOptions struct {
	Rules []Rule
	// Verifier checks the nf_jwt cookie. Nil: nobody holds any role, so
	// every role rule falls through to its fallback (fail closed).
	Verifier TokenVerifier
	// Functions are the handlers of the functions rules rewrite to, by name.
	Functions map[string]http.Handler
	// Files serves the pages fallback rules point at (the publish dir).
	Files fs.FS
	// Headers are netlify.toml's [[headers]], and CSP the page's policy:
	// what Netlify adds to a file it serves, here to the answers the
	// rules make without a function (a fallback page, a redirect).
	Headers []HeaderRule
	CSP     string
	Log     *slog.Logger
}

// RoleRules applies netlify.toml's role rules before next, as Netlify's
// proxy does.
type RoleRules struct {
	o       RoleRulesOptions
	next    http.Handler
	decided http.Handler // decide, behind the request log
}

// NewRoleRules returns the rules in front of next. It fails if a rule rewrites to a
// function it was not given: locally that request would go nowhere.
func NewRoleRules(o RoleRulesOptions, next http.Handler) (*RoleRules, error) {
	for _, r := range o.Rules {
		if r.Function != "" && o.Functions[r.Function] == nil {
			return nil, errors.New("netlify.toml rewrites " + r.From + " to function " + r.Function + ", which is not served locally")
		}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	p := &RoleRules{o: o, next: next}
	// next logs its own requests; the ones a rule answers are logged here.
	p.decided = logger.Middleware(o.Log)(http.HandlerFunc(p.decide))
	return p, nil
}

// ServeHTTP hands requests no rule matches to next.
func (p *RoleRules) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
		// Netlify's router collapses dot segments and repeated slashes
		// before it picks a rule: /paid-only/../admin-only/ is
		// /admin-only/, whatever a client sent (curl --path-as-is).
		r = r.Clone(r.Context())
		r.URL.Path, r.URL.RawPath = clean, ""
	}
	for _, rule := range p.o.Rules {
		if rule.Matches(r.URL.Path) {
			p.decided.ServeHTTP(w, r)
			return
		}
	}
	p.next.ServeHTTP(w, r)
}

// decide applies the first rule matching the request whose conditions hold,
// as Netlify does.
func (p *RoleRules) decide(w http.ResponseWriter, r *http.Request) {
	var roles []string
	rolesRead := false
	for _, rule := range p.o.Rules {
		if !rule.Matches(r.URL.Path) {
			continue
		}
		if want := rule.Roles(); len(want) > 0 {
			if !rolesRead {
				roles, rolesRead = p.roles(r), true
			}
			if !slices.ContainsFunc(want, func(role string) bool { return slices.Contains(roles, role) }) {
				continue
			}
		}
		logger.Set(r.Context(), slog.Int("netlify_rule", rule.Index+1))
		p.apply(w, r, rule)
		return
	}
	p.next.ServeHTTP(w, r)
}

// roles are those of the caller's nf_jwt cookie, if it verifies. A missing,
// expired, forged or wrongly signed cookie holds no role, as on Netlify.
func (p *RoleRules) roles(r *http.Request) []string {
	if p.o.Verifier == nil {
		return nil
	}
	token, err := auth.Request{Header: r.Header}.Cookie(auth.NetlifyCookie)
	if err != nil {
		return nil
	}
	principal, err := p.o.Verifier.VerifyToken(r.Context(), token)
	if err != nil {
		// The reason goes to the request log, never the token.
		logger.Set(r.Context(), slog.String("nf_jwt", err.Error()))
		return nil
	}
	return principal.Roles
}

func (p *RoleRules) apply(w http.ResponseWriter, r *http.Request, rule Rule) {
	if rule.Function != "" {
		// Netlify passes the original path to the function, not the
		// rewritten one.
		p.o.Functions[rule.Function].ServeHTTP(w, r)
		return
	}
	// What Netlify adds to every file it serves, as the rest of this
	// server does to its answers.
	h := w.Header()
	for _, hr := range p.o.Headers {
		if hr.Matches(r.URL.Path) {
			for k, v := range hr.Values {
				h.Set(k, v)
			}
		}
	}
	if p.o.CSP != "" {
		h.Set("Content-Security-Policy", p.o.CSP)
	}
	switch {
	case rule.Status == http.StatusMovedPermanently || rule.Status == http.StatusFound:
		http.Redirect(w, r, rule.To, rule.Status)
	default:
		p.serveFile(w, rule.To, rule.Status)
	}
}

func (p *RoleRules) serveFile(w http.ResponseWriter, name string, status int) {
	w.Header().Set("Cache-Control", "no-store")
	var page []byte
	if p.o.Files != nil {
		page, _ = fs.ReadFile(p.o.Files, trimSlash(name))
	}
	if page == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(http.StatusText(status) + "\n"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}

// cleanPath is path.Clean keeping a trailing slash, which rules tell apart.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}
