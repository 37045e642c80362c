package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/fnguard/fnguard/logger"
)

// Authenticate returns middleware that requires a valid bearer token and
// puts its Principal in the request context (read it with FromContext).
// It does what go-jwt-middleware's CheckJWT does with the options that make
// it safe (tokens only from the Authorization header, compact JWS only,
// errors answered by WriteError, where the library's defaults answer 400 or
// 500), and stores the Principal under the library's context key. It does
// not call CheckJWT: that deep-copies the request (r.Clone: headers, URL,
// eight allocations) on every request, where a context swap suffices.
func Authenticate(v *Verifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := BearerToken(r.Header)
			if err != nil {
				WriteError(w, r, err)
				return
			}
			p, err := v.Verify(r.Context(), token)
			if err != nil {
				WriteError(w, r, err)
				return
			}
			logger.Set(r.Context(), slog.String("sub", p.Subject))
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// Require returns middleware that lets a request through only if the
// Principal put in its context by Authenticate satisfies policy.
func Require(policy Policy) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := FromContext(r.Context())
			if err := Check(p, policy); err != nil {
				WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// WriteError answers a request refused with err (see Describe) and records
// an audit entry for the request log.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	d := Describe(err)
	AuditLog(r, err, d)
	for k, v := range d.Headers() {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d.Body())
}

// AuditLog attaches the reason for a denial to the request's log line
// (see logger.Audit): the reason, the subject and key id when known.
func AuditLog(r *http.Request, err error, d Denial) {
	attrs := []slog.Attr{slog.String("error", d.Code), slog.String("reason", err.Error())}
	var e *Error
	if errors.As(err, &e) {
		if e.Subject != "" {
			attrs = append(attrs, slog.String("sub", e.Subject))
		}
		if e.KeyID != "" {
			attrs = append(attrs, slog.String("kid", e.KeyID))
		}
	}
	logger.Audit(r.Context(), attrs...)
}
