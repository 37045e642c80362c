package onetime

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
)

// FuzzVerify: whatever the token, Verify returns claims or one of auth's
// sentinels (never a panic, never an unclassified error), and only a token
// our key signed verifies.
func FuzzVerify(f *testing.F) {
	key := testKey(f)
	now := t0
	f.Add(forge(f, key, validHeader(key), validClaims()))
	f.Add(forge(f, key, with(validHeader(key), "typ", "JWT"), validClaims()))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(`{"payload":"e30","signatures":[]}`)
	f.Add("a.b.c")
	v := testVerifier(f, TargetReports, key, &now)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(context.Background(), token)
		if err == nil {
			if c == nil || c.Action == "" || c.ID == "" {
				t.Fatalf("verified claims %+v are incomplete", c)
			}
			return
		}
		if !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("Verify = %v; want an ErrInvalidToken", err)
		}
	})
}

// FuzzTokenRequest: whatever the body, POST /tokens answers 200, 400 or 403
// with JSON, never 500.
func FuzzTokenRequest(f *testing.F) {
	now := time.Now()
	i := testIssuer(f, testKey(f), &now)
	h := IssueHandler(i)
	for _, s := range []string{`{"target":"reports","action":"read"}`, `{"target":"reports","action":"export"}`, `{}`, `[]`, `{"target":1}`, `{"target":"reports","action":"read"} x`, ""} {
		f.Add(s)
	}
	p := &auth.Principal{Subject: "u", Roles: []string{"paid"}}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/tokens", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req = req.WithContext(auth.NewContext(req.Context(), p))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden:
		default:
			t.Fatalf("status %d for body %q", rec.Code, body)
		}
		if !strings.HasPrefix(rec.Body.String(), "{") {
			t.Fatalf("body %q is not JSON", rec.Body)
		}
	})
}
