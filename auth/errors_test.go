package auth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		code      string
		challenge string
		headers   map[string]string
	}{
		{"no error is 200", nil, http.StatusOK, "", "", map[string]string{}},
		{"no token is 401 with a bare challenge", ErrNoToken, http.StatusUnauthorized, "unauthorized",
			`Bearer realm="fnguard"`, map[string]string{"WWW-Authenticate": `Bearer realm="fnguard"`}},
		{"wrapped no token is 401 with a bare challenge", fmt.Errorf("extract: %w", deny(ErrNoToken, "no header")), http.StatusUnauthorized, "unauthorized",
			`Bearer realm="fnguard"`, map[string]string{"WWW-Authenticate": `Bearer realm="fnguard"`}},
		{"invalid token is 401 invalid_token", deny(ErrInvalidToken, "signature does not verify"), http.StatusUnauthorized, "invalid_token",
			challengeInvalid, map[string]string{"WWW-Authenticate": challengeInvalid}},
		{"expired token is 401 invalid_token saying it expired", &Error{Err: ErrTokenExpired, Reason: "exp 1700000000 is in the past"}, http.StatusUnauthorized, "invalid_token",
			challengeExpired, map[string]string{"WWW-Authenticate": challengeExpired}},
		{"token from an issuer not accepted is 401 invalid_token saying so", &Error{Err: ErrIssuerNotAccepted, Reason: "issuer not accepted"}, http.StatusUnauthorized, "invalid_token",
			challengeIssuer, map[string]string{"WWW-Authenticate": challengeIssuer}},
		{"reused single-use token is 401 invalid_token saying it was already used", &Error{Err: ErrTokenUsed, Reason: "token already used"}, http.StatusUnauthorized, "invalid_token",
			challengeUsed, map[string]string{"WWW-Authenticate": challengeUsed}},
		{"forbidden is 403 insufficient_scope", &Error{Err: ErrForbidden, Reason: "requires role:admin", Subject: "dev|free-user"}, http.StatusForbidden, "insufficient_scope",
			`Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"`,
			map[string]string{"WWW-Authenticate": `Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"`}},
		{"unavailable is 503 with Retry-After and no challenge", deny(ErrUnavailable, "jwks down"), http.StatusServiceUnavailable, "temporarily_unavailable",
			"", map[string]string{"Retry-After": "5"}},
		{"unknown error fails closed as 401 invalid_token", errors.New("square/go-jose: error in cryptographic primitive"), http.StatusUnauthorized, "invalid_token",
			challengeInvalid, map[string]string{"WWW-Authenticate": challengeInvalid}},
		{"context deadline fails closed as 401 invalid_token", context.DeadlineExceeded, http.StatusUnauthorized, "invalid_token",
			challengeInvalid, map[string]string{"WWW-Authenticate": challengeInvalid}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Describe(tc.err)
			if d.Status != tc.status || d.Code != tc.code || d.Challenge != tc.challenge {
				t.Errorf("Describe = %d %q %q, want %d %q %q", d.Status, d.Code, d.Challenge, tc.status, tc.code, tc.challenge)
			}
			if h := d.Headers(); !maps.Equal(h, tc.headers) {
				t.Errorf("Headers() = %v, want %v", h, tc.headers)
			}
			if b := d.Body(); b.Error != d.Code || b.Message != d.Message {
				t.Errorf("Body() = %+v, want code %q and message %q", b, d.Code, d.Message)
			}
			if tc.err == nil {
				return
			}
			if d.Message == "" {
				t.Error("a denial without a message")
			}
			var e *Error
			if errors.As(tc.err, &e) && strings.Contains(d.Message, e.Reason) {
				t.Errorf("message %q shows the operator's reason %q", d.Message, e.Reason)
			}
			if strings.Contains(d.Message, "go-jose") || strings.Contains(d.Message, "deadline") {
				t.Errorf("message %q shows internals", d.Message)
			}
		})
	}
}

func TestErrorTextAndUnwrap(t *testing.T) {
	e := &Error{Err: ErrInvalidToken, Reason: "unknown key id", KeyID: "k1"}
	if got := e.Error(); got != "invalid token: unknown key id" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&Error{Err: ErrForbidden}).Error(); got != ErrForbidden.Error() {
		t.Errorf("Error() without reason = %q", got)
	}
	if !errors.Is(e, ErrInvalidToken) || errors.Is(e, ErrTokenExpired) {
		t.Error("an invalid token error must wrap ErrInvalidToken and not ErrTokenExpired")
	}
	if !errors.Is(ErrTokenExpired, ErrInvalidToken) {
		t.Error("ErrTokenExpired must be an ErrInvalidToken, for callers that only check the latter")
	}
}
