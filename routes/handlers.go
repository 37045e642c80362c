package routes

import (
	"net/http"
	"sync"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/jsonenc"
)

// The constant answers are encoded once.
var (
	healthBody = encode(map[string]string{"status": "ok"})
	publicBody = encode(map[string]string{"message": "This is public: no token needed."})
)

func handleHealth(w http.ResponseWriter, r *http.Request) {
	respondBytes(w, http.StatusOK, healthBody)
}

func handlePublic(w http.ResponseWriter, r *http.Request) {
	respondBytes(w, http.StatusOK, publicBody)
}

// meResponse is what GET /me returns: who the token says the caller is.
type meResponse struct {
	Subject     string    `json:"sub"`
	Roles       []string  `json:"roles"`
	Permissions []string  `json:"permissions"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// handleMe writes meResponse field by field: every signed-in page load
// asks for it, and encoding/json's reflection was a third of its cost. The
// bytes are encoding/json's (TestMeBodyIsEncodingJSONs).
func handleMe(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	bp := meBufs.Get().(*[]byte)
	b := append((*bp)[:0], `{"sub":`...)
	b = jsonenc.String(b, p.Subject)
	b = append(b, `,"roles":`...)
	b = jsonenc.Strings(b, p.Roles)
	b = append(b, `,"permissions":`...)
	b = jsonenc.Strings(b, p.Permissions)
	b = append(b, `,"scopes":`...)
	b = jsonenc.Strings(b, p.Scopes)
	b = append(b, `,"expires_at":`...)
	b = jsonenc.Time(b, p.ExpiresAt.UTC())
	b = append(b, "}\n"...)
	respondBytes(w, http.StatusOK, b) // a Writer does not keep b
	if cap(b) <= 4<<10 {
		*bp = b
		meBufs.Put(bp)
	}
}

// meBufs holds handleMe's body buffers.
var meBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

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
