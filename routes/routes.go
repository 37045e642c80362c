// Package routes builds the flagship's chi router: every route, the policy
// that guards it, and the middleware stack around them.
package routes

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/authlog"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/onetime"
)

// Options are the router's dependencies.
type Options struct {
	Logger         *slog.Logger
	Verifier       *auth.Verifier
	BasePaths      []string // the API is mounted under each, e.g. "/api"
	AllowedOrigins []string // CORS origins allowed to call the API
	// Tokens issues single-use tokens; nil (no signing key in Lambda)
	// makes POST /tokens and the JWKS answer 503.
	Tokens *onetime.Issuer
	// Mounts are handlers served outside the API, by path prefix: the
	// development issuer, the single-page app, the other strategies.
	Mounts map[string]http.Handler
}

// New returns the router. The API under each base path:
//
//	GET /health   anyone
//	GET /public   anyone
//	GET /me       any signed-in user
//	GET /paid     role paid or admin
//	GET /admin    role admin
//	POST /tokens  any signed-in user; each target/action has its own
//	              policy (onetime.DefaultGrants): reports/read needs paid
//	              or admin, reports/export needs admin
//	GET /.well-known/jwks.json  anyone: the key of single-use tokens
func New(o Options) *chi.Mux {
	r := chi.NewRouter()
	// Set before Mount so that mounted routers inherit JSON 404 and 405.
	r.NotFound(handleNotFound)
	r.MethodNotAllowed(handleMethodNotAllowed(r))
	r.Use(
		dropProxyHeaders,
		logger.Middleware(o.Logger),
		recoverer(o.Logger),
		securityHeaders,
		corsHandler(o.AllowedOrigins),
		compress,
	)

	api := chi.NewRouter()
	api.Get("/health", handleHealth)
	api.Get("/public", handlePublic)
	api.Get("/.well-known/jwks.json", onetime.JWKSHandler(o.Tokens).ServeHTTP)
	api.Group(func(r chi.Router) {
		r.Use(auth.Authenticate(o.Verifier, authlog.Options()...), privateCache)
		r.Get("/me", handleMe)
		r.With(require(auth.AnyRole("paid", "admin"))).Get("/paid", handlePaid)
		r.With(require(auth.Role("admin"))).Get("/admin", handleAdmin)
		r.With(require(auth.Authenticated())).Post("/tokens", onetime.IssueHandler(o.Tokens).ServeHTTP)
	})

	for _, base := range o.BasePaths {
		r.Mount(base, api)
	}
	for prefix, h := range o.Mounts {
		r.Mount(prefix, h)
	}
	return r
}

// require is auth.Require reporting its refusals on the request log.
func require(policy auth.Policy) func(http.Handler) http.Handler {
	return auth.Require(policy, authlog.Options()...)
}
