package onetime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/authlog"
	"github.com/fnguard/fnguard/logger"
)

// maxRequestBody bounds a token request: two short names and some JSON.
const maxRequestBody = 1 << 10

// tokenRequest is the body of POST /tokens.
type tokenRequest struct {
	Target string `json:"target"`
	Action string `json:"action"`
}

// IssueHandler answers POST /tokens for the caller that auth.Authenticate
// put in the request context: 200 with an Issued, 400 for a malformed body
// or an unknown target or action, 403 when the caller's roles do not allow
// the grant, 415 for a body that is not JSON.
//
// A nil Issuer (no signing key configured in Lambda) answers 503.
func IssueHandler(i *Issuer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i == nil {
			writeDisabled(w)
			return
		}
		p, ok := auth.FromContext(r.Context())
		if !ok {
			auth.WriteError(w, r, &auth.Error{Err: auth.ErrNoToken, Reason: "no verified caller"}, authlog.Options()...)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			writeJSON(w, http.StatusUnsupportedMediaType, auth.Body{Error: "unsupported_media_type", Message: "Send the request as application/json."})
			return
		}
		req, problem := decodeRequest(w, r)
		if problem != "" {
			writeJSON(w, http.StatusBadRequest, auth.Body{Error: "invalid_request", Message: problem})
			return
		}
		issued, err := i.Issue(p, req.Target, req.Action)
		switch {
		case errors.Is(err, ErrUnknownGrant):
			writeJSON(w, http.StatusBadRequest, auth.Body{Error: "invalid_target",
				Message: "Unknown target or action; see the README for the ones this service issues."})
			return
		case err != nil:
			auth.WriteError(w, r, err, authlog.Options()...)
			return
		}
		logger.Set(r.Context(), slog.String("target", issued.Target), slog.String("action", issued.Action))
		// RFC 6749 §5.1: responses carrying tokens must not be cached.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		writeJSON(w, http.StatusOK, issued)
	})
}

// decodeRequest reads exactly one JSON object with exactly the known fields,
// both non-empty, and returns what is wrong with it otherwise. The messages
// are safe to show: they name our fields, never echo the input.
func decodeRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, string) {
	var req tokenRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, "The request body is too large."
		}
		return req, `The body must be a JSON object {"target": "...", "action": "..."} with no other fields.`
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, "The body must hold exactly one JSON object."
	}
	if req.Target == "" || req.Action == "" {
		return req, `Both "target" and "action" are required.`
	}
	return req, ""
}

// JWKSHandler publishes the public half of i's key, for target functions
// (and other services) that verify single-use tokens over HTTP. A nil
// Issuer answers 503.
func JWKSHandler(i *Issuer) http.Handler {
	var body []byte
	if i != nil {
		// Marshalling a valid P-256 public key cannot fail.
		body, _ = json.Marshal(i.key.JWKS())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body == nil {
			writeDisabled(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	})
}

type claimsKey struct{}

// Require returns middleware that lets a request through only with a
// single-use token (in the Authorization header) granting action, and
// consumes the token. The handler reads the claims with FromContext.
func Require(r *Redeemer, action string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			token, err := auth.BearerToken(req.Header)
			if err == nil {
				var c *Claims
				if c, err = r.Redeem(req.Context(), token, action); err == nil {
					logger.Set(req.Context(), slog.String("sub", c.Subject), slog.String("jti", c.ID))
					next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), claimsKey{}, c)))
					return
				}
			}
			auth.WriteError(w, req, err, authlog.Options()...)
		})
	}
}

// FromContext returns the claims of the single-use token Require accepted.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

func writeDisabled(w http.ResponseWriter) {
	writeJSON(w, http.StatusServiceUnavailable, auth.Body{Error: "not_enabled",
		Message: "Single-use tokens are not enabled on this deployment."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
