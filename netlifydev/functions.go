package netlifydev

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/strategies/provider"
	"github.com/fnguard/fnguard/strategies/proxyrole"
	"github.com/fnguard/fnguard/strategies/singleuse"
)

// deps builds the functions' dependencies once. Caller is the provider pc
// names: with auth0 (the default) the functions trust the flagship's
// verifier v, so the same development tokens work everywhere. Identity is
// nil when identity has no secret: the functions behind role rules are then
// not served, rather than served unverified. devIssuer says the development
// issuer runs: only then may NETLIFY_TRUST_UNVERIFIED_CONTEXT take callers
// on faith.
func deps(pc provider.Config, v *auth.Verifier, identity config.Netlify, tokens *onetime.Issuer, redisURL string, devIssuer bool, log *slog.Logger) (functions.Deps, error) {
	d := functions.Deps{Log: log, Caller: auth.Bearer(v)}
	if pc.Netlify.TrustUnverifiedContext && !devIssuer {
		// This stand-in builds the client context from any token
		// unchecked: with a real issuer this server is someone's
		// deployment, where that would let anyone in as anyone.
		return d, errors.New("functions: configuration:\nNETLIFY_TRUST_UNVERIFIED_CONTEXT: is for the development setup only (no AUTH0_DOMAIN or AUTH_ISSUER_URL); set NETLIFY_JWT_SECRET instead")
	}
	if pc.Provider != provider.Auth0 {
		a, err := pc.Authenticator(log)
		if err != nil {
			return d, fmt.Errorf("functions: %w", err)
		}
		d.Caller = a
	}
	if len(identity.JWTSecret) == 0 {
		log.Warn("proxy-level strategy not served: set NETLIFY_JWT_SECRET (or, with the development issuer, [dev] jwtSecret in netlify.toml)")
	} else {
		// With a secret, the functions never trust the client context alone.
		n, err := proxyrole.Authenticator(identity, false)
		if err != nil {
			return d, fmt.Errorf("proxy-level strategy: %w", err)
		}
		d.Identity = n
	}
	if tokens != nil {
		// It shares the process with the token issuer, so it verifies
		// tokens with the key itself; deployed, it fetches the JWKS.
		r, err := singleuse.NewRedeemer(tokens.Key(), redisURL)
		if err != nil {
			return d, err
		}
		d.Redeemer = r
	}
	return d, nil
}

// serveFunctions returns, by name, every function of package functions
// that d can build, served as Netlify invokes it. Netlify attaches the
// client context it reads from an Identity token; netlifyCaller says the
// Caller functions read theirs from it (AUTH_PROVIDER=netlify).
func serveFunctions(d functions.Deps, netlifyCaller bool) (map[string]http.Handler, error) {
	out := map[string]http.Handler{}
	for _, f := range functions.All() {
		clientContext := netlifyCaller
		switch {
		case f.New == nil:
			continue
		case f.Needs == functions.Identity && d.Identity == nil, f.Needs == functions.Redeemer && d.Redeemer == nil:
			continue
		case f.Needs == functions.Identity:
			clientContext = true
		case f.Needs == functions.Redeemer:
			clientContext = false
		}
		h, err := f.New(d)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", f.Name, err)
		}
		out[f.Name] = ServeFunction(h, FunctionOptions{NetlifyIdentity: clientContext, BodyMethods: bodyMethods(f), Log: d.Log})
	}
	return out, nil
}

// bodyMethods are the methods of f's routes that read a body; the others'
// bodies are never read (see FunctionOptions.BodyMethods).
func bodyMethods(f functions.Function) []string {
	out := []string{}
	for _, r := range f.Routes {
		if r.ReadsBody && !slices.Contains(out, r.Method) {
			out = append(out, r.Method)
		}
	}
	return out
}
