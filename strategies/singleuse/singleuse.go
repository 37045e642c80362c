// Package singleuse is the "reports" function: the target of the guide's
// single-use tokens. A client that got a token from POST {base}/tokens calls
// it directly; the function accepts each token once, for the action it
// names, and never accepts a user's access token.
//
//	GET  /.netlify/functions/reports         action "read"   (paid or admin asked for it)
//	POST /.netlify/functions/reports/export  action "export" (admin asked for it)
package singleuse

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/routes"
)

// Name is the function's name, and the audience of its tokens.
const Name = onetime.TargetReports

// BasePath is where Netlify (and the local server) serves the function.
const BasePath = "/.netlify/functions/" + Name

// New returns the function's router as Lambda serves it: JSON 404 and 405,
// a request log, and Routes under BasePath.
func New(r *onetime.Redeemer, log *slog.Logger) *chi.Mux {
	mux := chi.NewRouter()
	sub := Routes(r)
	notFound := func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, auth.Body{Error: "not_found", Message: "No such route."})
	}
	mux.NotFound(notFound)
	mux.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		allowed := routes.Allowed(sub, "/"+strings.TrimPrefix(strings.TrimPrefix(req.URL.Path, BasePath), "/"))
		if allowed == "" { // a method chi does not know, on no route
			notFound(w, req)
			return
		}
		w.Header().Set("Allow", allowed)
		writeJSON(w, http.StatusMethodNotAllowed, auth.Body{Error: "method_not_allowed", Message: "This route does not accept " + req.Method + "."})
	})
	mux.Use(logger.Middleware(log))
	mux.Mount(BasePath, sub)
	return mux
}

// Routes are the function's routes relative to BasePath; the local server
// mounts them there, behind its own request log.
func Routes(r *onetime.Redeemer) *chi.Mux {
	mux := chi.NewRouter()
	mux.Use(noStore)
	mux.With(onetime.Require(r, onetime.ActionRead)).Get("/", handleRead)
	mux.With(onetime.Require(r, onetime.ActionExport)).Post("/export", handleExport)
	return mux
}

func handleRead(w http.ResponseWriter, r *http.Request) {
	c, _ := onetime.FromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{
		"report":     "Quarterly numbers: up and to the right.",
		"sub":        c.Subject,
		"action":     c.Action,
		"token_used": true,
	})
}

func handleExport(w http.ResponseWriter, r *http.Request) {
	c, _ := onetime.FromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{
		"export":     "reports.csv queued",
		"sub":        c.Subject,
		"action":     c.Action,
		"token_used": true,
	})
}

// noStore: a response obtained with a single-use token is for that caller,
// once.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
