// Package service is a two-route service protected with fnguard's public
// API alone, as a project of your own would write it: GET /profile for any
// signed-in caller, GET /admin for callers holding the admin role.
package service

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/fnguard/fnguard/auth"
)

// New returns the service's handler. Every refusal is logged with its
// reason (never the token) through the auth.OnDenied hook.
func New(v *auth.Verifier, log *slog.Logger) http.Handler {
	opts := []auth.Option{
		auth.WithRealm("example"),
		auth.OnDenied(func(r *http.Request, err error, d auth.Denial) {
			log.WarnContext(r.Context(), "access denied", "path", r.URL.Path, "status", d.Status, "reason", err.Error())
		}),
	}
	signedIn := auth.Authenticate(v, opts...)
	admin := func(h http.Handler) http.Handler { return signedIn(auth.Require(auth.Role("admin"), opts...)(h)) }

	mux := http.NewServeMux()
	mux.Handle("GET /profile", signedIn(http.HandlerFunc(profile)))
	mux.Handle("GET /admin", admin(http.HandlerFunc(adminPage)))
	return mux
}

func profile(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	writeJSON(w, map[string]any{"sub": p.Subject, "roles": p.Roles})
}

func adminPage(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	writeJSON(w, map[string]any{"sub": p.Subject, "message": "welcome, admin"})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	_ = json.NewEncoder(w).Encode(v)
}
