package routes

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
)

// recoverer turns a panic into a logged 500 with a JSON body that says
// nothing about the panic.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request",
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				respondError(w, http.StatusInternalServerError, "internal_error", "Something went wrong on our side.")
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Header values set on every answer, built once. The slices are shared
// between responses: net/http only reads them, Set replaces them and Add
// copies them (their capacity is their length).
var (
	nosniff      = []string{"nosniff"}
	noReferrer   = []string{"no-referrer"}
	hsts         = []string{"max-age=63072000; includeSubDomains"}
	privateStore = []string{"private, no-store"}
	varyOrigin   = []string{"Origin"}
	varyAuthz    = []string{"Authorization"}
	// One field line for both: what a client reads is the same list
	// (RFC 9110 §5.3), and net/http writes one line fewer.
	varyOriginAuthz = []string{"Origin, Authorization"}
)

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = noReferrer
		// Netlify's [[headers]] reach static files only, not function
		// responses, so the API sets HSTS itself; only on answers that
		// leave over HTTPS, as RFC 6797 §7.2 requires (browsers ignore it
		// over plain HTTP).
		if overHTTPS(r) {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// overHTTPS reports whether r reached us over TLS, or through a proxy that
// terminated TLS and says so in X-Forwarded-Proto: Netlify, API Gateway,
// Lambda function URLs and load balancers do. A client can send the header
// itself over plain HTTP; all it gets is a header its browser ignores there.
func overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	v := r.Header["X-Forwarded-Proto"]
	if len(v) == 0 {
		return false
	}
	// The first proxy's word: "https" or "https, http" along a chain.
	proto, _, _ := strings.Cut(v[0], ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// privateCache keeps per-user answers out of shared caches.
func privateCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Cache-Control"] = privateStore
		switch v := h["Vary"]; {
		case len(v) == 0:
			h["Vary"] = varyAuthz
		case len(v) == 1 && v[0] == "Origin":
			h["Vary"] = varyOriginAuthz
		default:
			h["Vary"] = append(v[:len(v):len(v)], varyAuthz...)
		}
		next.ServeHTTP(w, r)
	})
}

// compress compresses answers for clients that ask for it. chi's Compress
// wraps the writer of every request to find out; a request without
// Accept-Encoding skips it, with the same answer (Compress adds its Vary
// only to what it compresses).
func compress(next http.Handler) http.Handler {
	c := middleware.Compress(5, "application/json", "text/html", "text/css", "text/javascript", "application/javascript")(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header["Accept-Encoding"]; !ok {
			next.ServeHTTP(w, r)
			return
		}
		c.ServeHTTP(w, r)
	})
}

// corsHandler answers preflights before any auth runs (a browser never
// sends credentials on a preflight) and adds the allow headers to every
// response for an allowed origin, 401 and 403 included, so the SPA can read
// them. Credentials (cookies) are never allowed cross-origin: the page
// sends its token in the Authorization header, which needs none.
func corsHandler(origins []string) func(http.Handler) http.Handler {
	opts := cors.Options{
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"WWW-Authenticate", "X-Request-Id"},
		// The page sends its token in the Authorization header and no
		// cookie cross-origin: credentialed CORS would only let a listed
		// origin's scripts ride a user's cookies. Without it, "*" is safe.
		AllowCredentials: false,
		MaxAge:           600,
	}
	if slices.Contains(origins, "*") {
		opts.AllowedOrigins = []string{"*"}
	} else {
		// Exact matches only: go-chi/cors reads a "*" inside an origin as
		// a pattern (https://*example.com admits https://evilexample.com),
		// and an empty list as "allow every origin".
		opts.AllowOriginFunc = func(_ *http.Request, origin string) bool { return slices.Contains(origins, origin) }
	}
	withCORS := cors.Handler(opts)
	return func(next http.Handler) http.Handler {
		c := withCORS(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := r.Header["Origin"]; ok {
				c.ServeHTTP(w, r)
				return
			}
			// Without an Origin header (no browser page asking) go-chi/cors
			// adds Vary: Origin and nothing else, preflight or not; the
			// same here, from a shared value.
			h := w.Header()
			if v, ok := h["Vary"]; ok {
				h["Vary"] = append(v[:len(v):len(v)], varyOrigin...)
			} else {
				h["Vary"] = varyOrigin
			}
			next.ServeHTTP(w, r)
		})
	}
}
