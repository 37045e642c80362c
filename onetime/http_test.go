package onetime_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/onetime/onetimetest"
)

func TestPostTokens(t *testing.T) {
	f := onetimetest.Start(t, nil)
	const jsonType = "application/json"
	tests := []struct {
		name        string
		persona     string // "" sends no token
		contentType string
		body        string
		status      int
		code        string
	}{
		{"paid user gets a token to read reports", "paid", jsonType, `{"target":"reports","action":"read"}`, 200, ""},
		{"admin gets a token to export reports", "admin", jsonType, `{"target":"reports","action":"export"}`, 200, ""},
		{"content type with a charset is JSON", "admin", "application/json; charset=utf-8", `{"target":"reports","action":"read"}`, 200, ""},
		{"anonymous caller is 401", "", jsonType, `{"target":"reports","action":"read"}`, 401, "unauthorized"},
		{"free user asking to read reports is 403", "free", jsonType, `{"target":"reports","action":"read"}`, 403, "insufficient_scope"},
		{"paid user asking to export is 403", "paid", jsonType, `{"target":"reports","action":"export"}`, 403, "insufficient_scope"},
		{"unknown target is 400", "admin", jsonType, `{"target":"billing","action":"read"}`, 400, "invalid_target"},
		{"unknown action is 400", "admin", jsonType, `{"target":"reports","action":"delete"}`, 400, "invalid_target"},
		{"missing action is 400", "admin", jsonType, `{"target":"reports"}`, 400, "invalid_request"},
		{"unknown field is 400", "admin", jsonType, `{"target":"reports","action":"read","ttl":3600}`, 400, "invalid_request"},
		{"two objects are 400", "admin", jsonType, `{"target":"reports","action":"read"}{}`, 400, "invalid_request"},
		{"wrong types are 400", "admin", jsonType, `{"target":["reports"],"action":"read"}`, 400, "invalid_request"},
		{"not JSON is 400", "admin", jsonType, `target=reports`, 400, "invalid_request"},
		{"empty body is 400", "admin", jsonType, ``, 400, "invalid_request"},
		{"oversized body is 400", "admin", jsonType, `{"target":"reports","action":"` + strings.Repeat("a", 2048) + `"}`, 400, "invalid_request"},
		{"form content type is 415", "admin", "application/x-www-form-urlencoded", `target=reports&action=read`, 415, "unsupported_media_type"},
		{"no content type is 415", "admin", "", `{"target":"reports","action":"read"}`, 415, "unsupported_media_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := onetimetest.Do(t, http.MethodPost, f.URL+"/tokens", f.UserTokens[tc.persona], tc.contentType, []byte(tc.body))
			if r.Status != tc.status {
				t.Fatalf("status %d %s; want %d", r.Status, r.Body, tc.status)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			body := r.JSON(t)
			if tc.status != 200 {
				msg, _ := body["message"].(string)
				if body["error"] != tc.code || msg == "" {
					t.Fatalf("body %v; want error %q and a message", body, tc.code)
				}
				if strings.Contains(msg, "aaaa") || strings.Contains(msg, "billing") {
					t.Fatalf("message %q echoes the input", msg)
				}
				return
			}
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Fatalf("Cache-Control %q; a token response must not be stored", cc)
			}
			exp, err := time.Parse(time.RFC3339, body["expires_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if left := time.Until(exp); left <= 0 || left > onetime.DefaultTTL {
				t.Fatalf("token expires in %s; want within %s", left, onetime.DefaultTTL)
			}
			if tok, _ := body["token"].(string); strings.Count(tok, ".") != 2 || body["target"] != "reports" || body["action"] == "" {
				t.Fatalf("body %v", body)
			}
		})
	}
}

func TestConfiguredLifetimeIsHonoured(t *testing.T) {
	f := onetimetest.Start(t, nil, onetime.WithTTL(10*time.Second))
	issued := f.Issue(t, "paid", "reports", "read")
	if left := time.Until(issued.ExpiresAt); left > 10*time.Second {
		t.Fatalf("token expires in %s; want at most 10s", left)
	}
}

func TestJWKSPublishesOnlyThePublicKey(t *testing.T) {
	f := onetimetest.Start(t, nil)
	r := onetimetest.Do(t, http.MethodGet, f.JWKSURL, "", "", nil)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	keys, _ := r.JSON(t)["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys = %v; want one", keys)
	}
	k := keys[0].(map[string]any)
	if k["kid"] != f.Tokens.Key().KeyID() || k["alg"] != "ES256" || k["use"] != "sig" || k["kty"] != "EC" || k["crv"] != "P-256" {
		t.Fatalf("key = %v", k)
	}
	if _, private := k["d"]; private {
		t.Fatal("the JWKS publishes the private key")
	}
}

func TestSingleUseTokenIsRefusedByTheFlagshipRoutes(t *testing.T) {
	f := onetimetest.Start(t, nil)
	issued := f.Issue(t, "admin", "reports", "read")
	for _, route := range []string{"/me", "/paid", "/admin"} {
		r := onetimetest.Do(t, http.MethodGet, f.URL+route, issued.Token, "", nil)
		if r.Status != http.StatusUnauthorized || r.JSON(t)["error"] != "invalid_token" {
			t.Fatalf("GET %s with a single-use token = %d %s; want 401 invalid_token", route, r.Status, r.Body)
		}
		if !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
	}
	// And a single-use token cannot ask for more single-use tokens.
	r := onetimetest.Do(t, http.MethodPost, f.URL+"/tokens", issued.Token, "application/json", []byte(`{"target":"reports","action":"read"}`))
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("POST /tokens with a single-use token = %d; want 401", r.Status)
	}
}

func TestDisabledTokensAnswer503(t *testing.T) {
	for _, h := range []http.Handler{onetime.IssueHandler(nil), onetime.JWKSHandler(nil)} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/tokens", strings.NewReader(`{}`)))
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"not_enabled"`) {
			t.Fatalf("disabled handler = %d %s; want 503 not_enabled", rec.Code, rec.Body)
		}
	}
}
