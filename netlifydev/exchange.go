package netlifydev

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/internal/authlog"
	"github.com/fnguard/fnguard/logger"
)

// netlifyTokenPath is where the token exchange is served, under the
// development issuer's path (config.DevIssuerPath).
const netlifyTokenPath = "netlify-token"

// maxNetlifyTokenTTL is the life of a sign-in's access token when
// DEV_ISSUER_ACCESS_TTL is unset. An exchanged token lives no longer than
// a sign-in's access token, so that a day-long token from
// `go run . token --ttl 24h` does not become a day-long cookie, and no
// shorter, so that the cookie lasts until the page renews.
const maxNetlifyTokenTTL = devissuer.AccessTokenTTL

// netlifyTokenResponse is the exchange's answer, shaped like POST
// {base}/tokens': the page sets the cookie to expire with the token.
type netlifyTokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// handleNetlifyToken is the development stand-in for what gives a browser
// its nf_jwt in production (Netlify Identity's widget, or an Auth0 API that
// signs HS256 with the site's JWT secret: README "Proxy-level
// protection"); New mounts it only beside the development issuer and the
// local proxy. It answers POST with an Identity token for the caller of
// the access token in the Authorization header, once v has verified it:
// the same subject and roles, at identity's roles path, HS256 under the
// secret the local proxy verifies nf_jwt with, expiring no later than the
// access token. It says nothing the access token did not say, so it grants
// nothing the flagship would not. The token is in the Authorization header,
// never a cookie, so another site cannot make a browser ask for one; only
// the pages allowOrigin accepts (the issuer's registered apps) may read
// the answer cross-origin.
func handleNetlifyToken(v *auth.Verifier, identity config.Netlify, allowOrigin func(origin string) bool, maxTTL time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		h.Set("Cache-Control", "no-store")
		origin := r.Header.Get("Origin")
		allowed := origin != "" && allowOrigin(origin)
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		switch r.Method {
		case http.MethodPost:
		case http.MethodOptions:
			if !allowed {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Methods", "POST")
			h.Set("Access-Control-Allow-Headers", "Authorization")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			h.Set("Allow", "POST, OPTIONS")
			writeExchangeJSON(w, http.StatusMethodNotAllowed, auth.Body{Error: "method_not_allowed", Message: "Send POST with the access token in an 'Authorization: Bearer' header."})
			return
		}
		token, err := auth.BearerToken(r.Header)
		if err != nil {
			auth.WriteError(w, r, err, authlog.Options()...)
			return
		}
		p, err := v.Verify(r.Context(), token)
		if err != nil {
			auth.WriteError(w, r, err, authlog.Options()...)
			return
		}
		logger.Set(r.Context(), slog.String("sub", p.Subject))
		ttl := min(maxTTL, time.Until(p.ExpiresAt))
		if ttl < time.Second {
			// Within the verifier's clock skew an access token can pass
			// with no life left; an Identity token cannot be shorter-lived
			// than one second of exp.
			auth.WriteError(w, r, &auth.Error{Err: auth.ErrTokenExpired, Reason: "access token has no life left to exchange", Subject: p.Subject}, authlog.Options()...)
			return
		}
		// Read before signing, and in whole seconds as exp is: the cookie
		// never outlives the token.
		exp := time.Now().Add(ttl).Truncate(time.Second).UTC()
		// The secret and roles path are those of the local proxy, and the
		// signer is the one behind `go run . netlify-token`.
		signed, err := SignIdentityToken(identity.JWTSecret, identity.RolesPath, p.Subject, p.Roles, ttl)
		if err != nil {
			auth.WriteError(w, r, &auth.Error{Err: auth.ErrUnavailable, Reason: "sign Identity token: " + err.Error(), Subject: p.Subject}, authlog.Options()...)
			return
		}
		writeExchangeJSON(w, http.StatusOK, netlifyTokenResponse{Token: signed, ExpiresAt: exp})
	})
}

func writeExchangeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
