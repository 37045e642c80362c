package routes

import (
	"encoding/json"
	"net/http"

	"github.com/fnguard/fnguard/auth"
)

// respond writes v as JSON with status.
func respond(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// respondError writes the same body shape as auth errors, for failures that
// are not about auth (404, 405, 500).
func respondError(w http.ResponseWriter, status int, code, message string) {
	respond(w, status, auth.Body{Error: code, Message: message})
}

func handleNotFound(w http.ResponseWriter, r *http.Request) {
	respondError(w, http.StatusNotFound, "not_found", "No such route.")
}

func handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	respondError(w, http.StatusMethodNotAllowed, "method_not_allowed", "This route does not accept "+r.Method+".")
}
