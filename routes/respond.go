package routes

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
)

// respond writes v as JSON with status.
func respond(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// respondBytes writes body, JSON encoded beforehand, with status.
func respondBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = contentTypeJSON
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var contentTypeJSON = []string{"application/json"}

// encode is what respond writes for v.
func encode(v any) []byte {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		panic(err) // only called on values of ours, at start
	}
	return b.Bytes()
}

// respondError writes the same body shape as auth errors, for failures that
// are not about auth (404, 405, 500).
func respondError(w http.ResponseWriter, status int, code, message string) {
	respond(w, status, auth.Body{Error: code, Message: message})
}

func handleNotFound(w http.ResponseWriter, r *http.Request) {
	respondError(w, http.StatusNotFound, "not_found", "No such route.")
}

// handleMethodNotAllowed answers a method the route does not take with the
// Allow header RFC 9110 (§15.5.6) requires. chi also calls it for a method
// it does not know at all, on any path; a path no method reaches is a 404.
func handleMethodNotAllowed(routes chi.Routes) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		allowed := Allowed(routes, routedPath(r))
		if allowed == "" {
			handleNotFound(w, r)
			return
		}
		w.Header().Set("Allow", allowed)
		respondError(w, http.StatusMethodNotAllowed, "method_not_allowed", "This route does not accept "+r.Method+".")
	}
}

// Allowed is the value of the Allow header for path: the methods routes
// has a route for, or "" when it has none. A chi router's own 405 handler
// lists them, but one set with MethodNotAllowed is not told. routes must
// hold the path's routes themselves: chi matches the exact path of a
// Mount for every method.
func Allowed(routes chi.Routes, path string) string {
	var allowed []string
	for _, m := range methods {
		if routes.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ", ")
}

// methods are the methods a route of ours may take.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}
