//go:build !lambda.norpc

package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/authorizer"
	"github.com/fnguard/fnguard/strategies/decorator"
	"github.com/fnguard/fnguard/strategies/guard"
	"github.com/fnguard/fnguard/strategies/inline"
	"github.com/fnguard/fnguard/strategies/local"
	"github.com/fnguard/fnguard/strategies/middleware"
	"github.com/fnguard/fnguard/strategies/provider"
)

// FunctionsPath is where Netlify serves functions, and the local server too.
const FunctionsPath = "/.netlify/functions"

// AuthorizerCacheTTL is the authorizer result cache of template.yaml, which
// the local stand-in for API Gateway reproduces.
const AuthorizerCacheTTL = 300 * time.Second

// functionMounts serves every strategy's function at
// /.netlify/functions/<name>/..., each request turned into the event
// Netlify would send. The provider is AUTH_PROVIDER's: with auth0 (the
// default) the functions trust the flagship's verifier v, so the same
// development tokens work everywhere. The authorizer's function is served
// behind a stand-in for API Gateway that runs the authorizer first.
// devIssuer says the development issuer runs: only then may
// NETLIFY_TRUST_UNVERIFIED_CONTEXT take callers on faith.
func functionMounts(log *slog.Logger, v *auth.Verifier, getenv func(string) string, devIssuer bool) (map[string]http.Handler, error) {
	pc, err := provider.Load(getenv)
	if err != nil {
		return nil, fmt.Errorf("functions: configuration:\n%w", err)
	}
	if pc.Netlify.TrustUnverifiedContext && !devIssuer {
		// The local stand-in for Netlify builds the client context from
		// any token unchecked: with a real issuer this server is someone's
		// deployment, where that would let anyone in as anyone.
		return nil, errors.New("functions: configuration:\nNETLIFY_TRUST_UNVERIFIED_CONTEXT: is for the development setup only (no AUTH0_DOMAIN or AUTH_ISSUER_URL); set NETLIFY_JWT_SECRET instead")
	}
	var a auth.Authenticator = auth.Bearer(v)
	if pc.Provider != provider.Auth0 {
		if a, err = pc.Authenticator(log); err != nil {
			return nil, fmt.Errorf("functions: %w", err)
		}
	}
	routes := authorizer.Routes()
	gateway := &authorizer.Gateway{
		Authorize:  authorizer.New(a, routes, log).Request,
		Function:   authorizer.Protected(routes, log),
		Routes:     routes,
		TTL:        AuthorizerCacheTTL,
		PathPrefix: FunctionsPath,
		Log:        log,
	}
	functions := map[string]guard.Handler{
		inline.Name:     inline.New(a, log),
		middleware.Name: middleware.New(a, log),
		decorator.Name:  decorator.New(a, log),
		authorizer.Name: gateway.Handle,
	}
	opts := local.Options{NetlifyIdentity: pc.Provider == provider.Netlify, Log: log}
	mounts := make(map[string]http.Handler, len(functions))
	for name, h := range functions {
		mounts[FunctionsPath+"/"+name] = local.Handler(h, opts)
	}
	return mounts, nil
}
