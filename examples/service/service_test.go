package service_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"

	"example.com/service/service"
)

const audience = "https://api.example.com"

// issuer serves fnguard's development issuer on loopback, standing in for
// an Auth0 tenant: OIDC discovery, a JWKS, RS256 access tokens.
func issuer(t *testing.T) (*httptest.Server, *devissuer.Issuer) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss := devissuer.New(srv.URL+"/", key, audience, auth.DefaultRolesClaim)
	mux.Handle("/", iss.Handler())
	return srv, iss
}

func TestTheServiceAnswersEachCallerAsItsPolicySays(t *testing.T) {
	tenant, iss := issuer(t)
	keys := auth.NewKeySet(iss.URL, auth.WithHTTPClient(tenant.Client()))
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, Audiences: []string{audience}}, keys)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv := httptest.NewServer(service.New(v, slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(srv.Close)

	var issued []string
	token := func(persona string, ttl time.Duration) string {
		p, err := devissuer.LookupPersona(persona)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := iss.Mint(p, ttl)
		if err != nil {
			t.Fatal(err)
		}
		issued = append(issued, tok)
		return tok
	}
	tests := []struct {
		name          string
		path          string
		authorization string
		status        int
		challenge     string
		body          string
	}{
		{"a profile without a token is 401", "/profile", "", 401, `Bearer realm="example"`, `"error":"unauthorized"`},
		{"a profile with a free user's token is 200", "/profile", "Bearer " + token("free", time.Minute), 200, "", `"sub":"dev|free-user"`},
		{"a profile with an expired token is 401", "/profile", "Bearer " + token("free", -time.Minute), 401,
			`Bearer realm="example", error="invalid_token", error_description="The access token expired"`, `"error":"invalid_token"`},
		{"a profile with a tampered token is 401", "/profile", "Bearer " + token("free", time.Minute) + "x", 401,
			`Bearer realm="example", error="invalid_token", error_description="The access token is invalid"`, `"error":"invalid_token"`},
		{"the admin page for a paid user is 403", "/admin", "Bearer " + token("paid", time.Minute), 403,
			`Bearer realm="example", error="insufficient_scope", error_description="The access token does not grant access to this resource"`, `"error":"insufficient_scope"`},
		{"the admin page for an admin is 200", "/admin", "Bearer " + token("admin", time.Minute), 200, "", `"message":"welcome, admin"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.authorization != "" {
				req.Header.Set("Authorization", tc.authorization)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			if !strings.Contains(string(body), tc.body) {
				t.Errorf("body %s does not contain %s", body, tc.body)
			}
		})
	}
	srv.Close() // every handler has returned: the log is complete
	if n := strings.Count(logs.String(), "access denied"); n != 4 {
		t.Errorf("%d access denied lines for 4 refusals:\n%s", n, logs.String())
	}
	for _, tok := range issued {
		for _, part := range strings.Split(tok, ".") {
			if strings.Contains(logs.String(), part[:16]) {
				t.Errorf("the log holds part of a token: %s...", part[:16])
			}
		}
	}
}
