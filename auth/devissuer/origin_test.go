package devissuer_test

import (
	"testing"

	"github.com/fnguard/fnguard/auth/devissuer"
)

func TestAllowsOriginOfRegisteredAppsOnly(t *testing.T) {
	iss := devissuer.New("http://127.0.0.1:8080/dev-issuer/", signingKey(), issuerAudience, issuerRoles)
	if err := iss.RegisterClient(devissuer.Client{ID: "spa", RedirectURIs: []string{"http://127.0.0.1:8080/", "https://app.example/callback"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, origin string
		want         bool
	}{
		{"the origin of a redirect URI is allowed", "http://127.0.0.1:8080", true},
		{"the origin of a redirect URI with a path is allowed", "https://app.example", true},
		{"another port is not", "http://127.0.0.1:8081", false},
		{"another scheme is not", "http://app.example", false},
		{"a redirect URI is no origin", "http://127.0.0.1:8080/", false},
		{"the opaque origin null is not", "null", false},
		{"no origin is not", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := iss.AllowsOrigin(tc.origin); got != tc.want {
				t.Errorf("AllowsOrigin(%q) = %v, want %v", tc.origin, got, tc.want)
			}
		})
	}
}
