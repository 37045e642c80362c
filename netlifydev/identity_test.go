package netlifydev

import (
	"os"
	"strings"
	"testing"
	"time"
)

// netlify.toml's [dev] jwtSecret is published with the code: anyone can
// sign an admin nf_jwt with it. The local server may use it beside the
// development issuer only; with a real issuer it is a server someone
// deploys, and only NETLIFY_JWT_SECRET may sign the cookies it trusts.
func TestTheDevSecretOfNetlifyTOMLIsNotTrustedWithARealIssuer(t *testing.T) {
	file := repoFile(t)
	if file.Dev.JWTSecret == "" {
		t.Fatal("netlify.toml has no [dev] jwtSecret; this test needs one")
	}
	iss := realIssuer(t)

	const siteSecret = "the-site-identity-secret-from-the-env-32+"
	tests := []struct {
		name        string
		env         map[string]string
		signWith    string
		wantAllowed bool
	}{
		{"a cookie signed with the public dev secret is refused when no NETLIFY_JWT_SECRET is set", nil, file.Dev.JWTSecret, false},
		{"a cookie signed with the public dev secret is refused beside NETLIFY_JWT_SECRET", map[string]string{"NETLIFY_JWT_SECRET": siteSecret}, file.Dev.JWTSecret, false},
		{"a cookie signed with NETLIFY_JWT_SECRET is let through", map[string]string{"NETLIFY_JWT_SECRET": siteSecret}, siteSecret, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PORT": "0", "HOST": "127.0.0.1", "AUTH_ISSUER_URL": iss.URL, "AUTH0_AUDIENCE": "https://api.test", "AUTH0_CLIENT_ID": "spa"}
			for k, v := range tc.env {
				env[k] = v
			}
			s := startServer(t, env)
			cookie, err := SignIdentityToken([]byte(tc.signWith), "app_metadata.roles", "attacker", []string{"admin"}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/admin-only/", "/.netlify/functions/admin-only"} {
				if allowed, answer := adminOnlyLetsIn(t, s.base+path, cookie); allowed != tc.wantAllowed {
					t.Errorf("GET %s = %s; want allowed=%v", path, answer, tc.wantAllowed)
				}
			}
		})
	}
}

// NETLIFY_TRUST_UNVERIFIED_CONTEXT makes the local functions take the
// caller's Identity token on faith (the local stand-in for Netlify builds
// the client context from it unchecked). The Lambda build refuses it; the
// local server must too once a real issuer says it is no longer a
// development setup.
func TestTheLocalServerWithARealIssuerRefusesAnUnverifiedNetlifyContext(t *testing.T) {
	env := map[string]string{
		"PORT": "0", "HOST": "127.0.0.1", "AUTH_ISSUER_URL": "https://issuer.test/", "AUTH0_AUDIENCE": "https://api.test",
		"AUTH_PROVIDER": "netlify", "NETLIFY_TRUST_UNVERIFIED_CONTEXT": "true",
	}
	err := siteError(t, env)
	if err == nil || !strings.Contains(err.Error(), "NETLIFY_TRUST_UNVERIFIED_CONTEXT") {
		t.Fatalf("New = %v; want a refusal naming NETLIFY_TRUST_UNVERIFIED_CONTEXT", err)
	}
}

// netlify.toml's [dev] table configures `netlify dev`. Its jwtRolePath
// must not steer where a deployed server reads roles: a path under
// user_metadata, which Identity users rewrite themselves, would let anyone
// make themselves admin. With a real issuer, NETLIFY_ROLES_PATH (checked by
// config) decides.
func TestTheDevRolePathOfNetlifyTOMLIsNotUsedWithARealIssuer(t *testing.T) {
	data, err := os.ReadFile(repoTOML)
	if err != nil {
		t.Fatal(err)
	}
	const devPath = `jwtRolePath = "app_metadata.roles"`
	if !strings.Contains(string(data), devPath) {
		t.Fatalf("netlify.toml has no %s; this test rewrites it", devPath)
	}
	toml := t.TempDir() + "/netlify.toml"
	if err := os.WriteFile(toml, []byte(strings.Replace(string(data), devPath, `jwtRolePath = "user_metadata.roles"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	const siteSecret = "the-site-identity-secret-from-the-env-32+"
	env := map[string]string{
		"PORT": "0", "HOST": "127.0.0.1", "AUTH_ISSUER_URL": "https://issuer.test/", "AUTH0_AUDIENCE": "https://api.test",
		"NETLIFY_JWT_SECRET": siteSecret, "NETLIFY_TOML": toml,
	}
	s := startServer(t, env)
	for _, tc := range []struct {
		name, rolesPath string
		wantAllowed     bool
	}{
		{"admin under user_metadata, where the user wrote it, is refused", "user_metadata.roles", false},
		{"admin under app_metadata, where an Identity admin put it, is let through", "app_metadata.roles", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cookie, err := SignIdentityToken([]byte(siteSecret), tc.rolesPath, "user", []string{"admin"}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if allowed, answer := adminOnlyLetsIn(t, s.base+"/admin-only/", cookie); allowed != tc.wantAllowed {
				t.Errorf("GET /admin-only/ = %s; want allowed=%v", answer, tc.wantAllowed)
			}
		})
	}
}
