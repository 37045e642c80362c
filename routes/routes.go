// Package routes builds the flagship's chi router: every route, the policy
// that guards it, and the middleware stack around them.
package routes

import (
	"log/slog"
	"net/http"
	"strings"

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
	BasePaths      []string // the API is served under each, e.g. "/api"
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
func New(o Options) http.Handler {
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

	r := chi.NewRouter()
	// Set before Mount so that mounted routers inherit JSON 404 and 405.
	r.NotFound(handleNotFound)
	// chi answers a method it does not know before it walks the tree; a
	// path under a base path is answered from the API's own table.
	methodNotAllowed := handleMethodNotAllowed(r)
	fallbacks := make(map[string]http.HandlerFunc, len(o.BasePaths))
	for _, base := range o.BasePaths {
		fallbacks[base] = apiFallback(base, api)
	}
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		p, under := routedPath(req), ""
		for base := range fallbacks {
			if (p == base || strings.HasPrefix(p, base+"/")) && len(base) > len(under) {
				under = base // the longest, as chi's tree would choose
			}
		}
		if under != "" {
			fallbacks[under](w, req)
			return
		}
		methodNotAllowed(w, req)
	})
	r.Use(
		recoverer(o.Logger),
		securityHeaders,
		corsHandler(o.AllowedOrigins),
		compress,
	)

	for _, base := range o.BasePaths {
		serveUnder(r, base, api, fallbacks[base])
	}
	for prefix, h := range o.Mounts {
		r.Mount(prefix, h)
	}
	// Around the router rather than in it: the router then uses the log
	// entry's routing context instead of allocating its own
	// (logger.Middleware).
	return logger.Middleware(o.Logger)(r)
}

// routedPath is the path chi routes r on.
func routedPath(r *http.Request) string {
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}

// apiFallback answers a request under base that no route of api takes:
// 405 with Allow when another method has a route there, else 404.
func apiFallback(base string, api chi.Routes) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := "/" + strings.TrimPrefix(strings.TrimPrefix(routedPath(r), base), "/")
		if allowed := Allowed(api, path); allowed != "" {
			w.Header().Set("Allow", allowed)
			respondError(w, http.StatusMethodNotAllowed, "method_not_allowed", "This route does not accept "+r.Method+".")
			return
		}
		handleNotFound(w, r)
	}
}

// serveUnder registers api's routes on r under base, each as base+pattern,
// and answers every other path under base from api's table: 405 with
// Allow for a method its route does not take, else 404. Registering the
// routes themselves, instead of mounting api, spares every request a
// second router: a second tree walk, chi's path value for the mount's
// wildcard (a map per request) and a route pattern joined from two.
// The catch-all keeps /api/... out of a handler mounted at "/" (the page).
//
// api.Routes gives each route's handler with the middleware of its Group
// and With, not api's own (Use on api itself): that middleware would be
// skipped, so api may have none.
func serveUnder(r chi.Router, base string, api chi.Routes, rest http.HandlerFunc) {
	if len(api.Middlewares()) > 0 {
		panic("routes: middleware on the API router itself would be skipped; use a Group")
	}
	for _, route := range api.Routes() {
		for method, h := range route.Handlers {
			if method == "*" {
				r.Handle(base+route.Pattern, h)
			} else {
				r.Method(method, base+route.Pattern, h)
			}
		}
	}
	r.HandleFunc(base, rest)
	r.HandleFunc(base+"/*", rest)
}

// require is auth.Require reporting its refusals on the request log.
func require(policy auth.Policy) func(http.Handler) http.Handler {
	return auth.Require(policy, authlog.Options()...)
}
