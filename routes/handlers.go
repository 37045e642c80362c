package routes

import (
	"net/http"
	"time"

	"github.com/fnguard/fnguard/auth"
)

func handleHealth(w http.ResponseWriter, r *http.Request) {
	respond(w, http.StatusOK, map[string]string{"status": "ok"})
}

func handlePublic(w http.ResponseWriter, r *http.Request) {
	respond(w, http.StatusOK, map[string]string{
		"message": "This is public: no token needed.",
	})
}

// meResponse is what GET /me returns: who the token says the caller is.
type meResponse struct {
	Subject     string    `json:"sub"`
	Roles       []string  `json:"roles"`
	Permissions []string  `json:"permissions"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func handleMe(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	respond(w, http.StatusOK, meResponse{
		Subject:     p.Subject,
		Roles:       p.Roles,
		Permissions: p.Permissions,
		Scopes:      p.Scopes,
		ExpiresAt:   p.ExpiresAt.UTC(),
	})
}

func handlePaid(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	respond(w, http.StatusOK, map[string]string{
		"message": "Thanks for being a paying customer.",
		"sub":     p.Subject,
	})
}

func handleAdmin(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	respond(w, http.StatusOK, map[string]string{
		"message": "Welcome, admin.",
		"sub":     p.Subject,
	})
}
