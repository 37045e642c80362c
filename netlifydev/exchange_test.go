package netlifydev

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
)

// exchange posts to the token exchange at url with the access token (none
// when empty) from origin (none when empty).
func exchange(t *testing.T, url, token, origin string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// jwtPart decodes part i (0 header, 1 claims) of a compact JWS.
func jwtPart(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts, want a compact JWS", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// spaConfig reads the page's configuration from the server at base.
func spaConfig(t *testing.T, base string) map[string]any {
	t.Helper()
	status, body := get(t, base+"/spa-config.json", "")
	if status != http.StatusOK {
		t.Fatalf("GET /spa-config.json = %d", status)
	}
	return body
}

// identityVerifier checks tokens as the local proxy does: netlify.toml's
// [dev] secret and roles path.
func identityVerifier(t *testing.T) *auth.Netlify {
	t.Helper()
	file := repoFile(t)
	n, err := auth.NewNetlify(auth.NetlifyConfig{Secret: []byte(file.Dev.JWTSecret), RolesPath: file.Dev.JWTRolePath})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTokenExchangeTradesAnAccessTokenForTheProxysCookie(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"}
	s := startServer(t, env)
	env["PORT"] = strconv.Itoa(s.port)

	// The page is told where the exchange is: the test uses that URL.
	url, _ := spaConfig(t, s.base)["netlifyTokenUrl"].(string)
	if url != s.base+config.DevIssuerPath+netlifyTokenPath {
		t.Fatalf("spa-config.json netlifyTokenUrl = %q, want the issuer's %s", url, netlifyTokenPath)
	}

	key, err := devissuer.LoadOrCreateKey(env["DEV_ISSUER_KEY_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	dev := devissuer.New(config.IssuerURLFor(s.port), key, config.DevAudience, auth.DefaultRolesClaim)
	admin, _ := devissuer.LookupPersona("admin")
	expired, err := dev.Sign(dev.Claims(admin, -time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := devissuer.LoadOrCreateKey(t.TempDir() + "/other.pem")
	if err != nil {
		t.Fatal(err)
	}
	forged, err := devissuer.New(dev.URL, otherKey, config.DevAudience, auth.DefaultRolesClaim).Mint(admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	shortLived, err := dev.Mint(admin, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	// Refusals are the flagship's: the answer auth.Describe gives.
	refused := []struct {
		name, token string
		want        error
	}{
		{"no token is 401 unauthorized", "", auth.ErrNoToken},
		{"a token that is no JWT is 401 invalid_token", "not-a-jwt", auth.ErrInvalidToken},
		{"a token signed with another key is 401 invalid_token", forged, auth.ErrInvalidToken},
		{"an expired token is 401 expired", expired, auth.ErrTokenExpired},
		// Only access tokens are traded: not one from `go run .
		// netlify-token`, nor the exchange's own product.
		{"an Identity token is 401 invalid_token", mintNetlify(t, env, "admin"), auth.ErrInvalidToken},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := exchange(t, url, tc.token, "")
			d := auth.Describe(tc.want)
			var got auth.Body
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if resp.StatusCode != d.Status || got != d.Body() {
				t.Errorf("%d %+v, want %d %+v", resp.StatusCode, got, d.Status, d.Body())
			}
			if c := resp.Header.Get("WWW-Authenticate"); c != d.Challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", c, d.Challenge)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
			}
		})
	}

	identity := identityVerifier(t)
	// What the proxy answers each persona's exchanged cookie (netlify.toml).
	proxyWants := map[string]map[string]int{
		"free":  {"/admin-only/": 401, "/paid-only/": 401},
		"paid":  {"/admin-only/": 401, "/paid-only/": 200},
		"admin": {"/admin-only/": 200, "/paid-only/": 200},
	}
	for _, p := range devissuer.Personas {
		t.Run(p.Name+" gets an Identity token of the same subject and roles, which the proxy accepts", func(t *testing.T) {
			access := mintFor(t, env, p.Name) // valid for an hour
			resp, body := exchange(t, url, access, "")
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var got netlifyTokenResponse
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if alg := jwtPart(t, got.Token, 0)["alg"]; alg != "HS256" {
				t.Errorf("alg %v, want HS256", alg)
			}
			who, err := identity.VerifyToken(t.Context(), got.Token)
			if err != nil {
				t.Fatalf("the token does not verify with netlify.toml's [dev] secret: %v", err)
			}
			if who.Subject != p.Subject || !slices.Equal(who.Roles, p.Roles) {
				t.Errorf("token for %s %v, want %s %v", who.Subject, who.Roles, p.Subject, p.Roles)
			}
			if !who.ExpiresAt.Equal(got.ExpiresAt) {
				t.Errorf("expires_at %s, token exp %s", got.ExpiresAt, who.ExpiresAt)
			}
			if left := time.Until(who.ExpiresAt); left > maxNetlifyTokenTTL || left < maxNetlifyTokenTTL-time.Minute {
				t.Errorf("the token lives %s, want %s (the access token lives an hour)", left, maxNetlifyTokenTTL)
			}
			for path, want := range proxyWants[p.Name] {
				if status := getWithCookie(t, s.base+path, got.Token); status != want {
					t.Errorf("GET %s with the exchanged nf_jwt = %d, want %d", path, status, want)
				}
			}
		})
	}

	t.Run("the Identity token expires no later than the access token", func(t *testing.T) {
		resp, body := exchange(t, url, shortLived, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		var got netlifyTokenResponse
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		who, err := identity.VerifyToken(t.Context(), got.Token)
		if err != nil {
			t.Fatal(err)
		}
		accessExp := int64(jwtPart(t, shortLived, 1)["exp"].(float64))
		if exp := who.ExpiresAt.Unix(); exp > accessExp || exp < accessExp-5 {
			t.Errorf("Identity token exp %d, want the access token's %d or just before", exp, accessExp)
		}
	})

	t.Run("GET is 405 naming POST", func(t *testing.T) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("%d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}

// Only the app's pages may read the exchange's answers from another
// origin: the server's own origins and CORS_ALLOWED_ORIGINS, as the
// issuer's token endpoint.
func TestTokenExchangeAnswersTheAppsOriginsOnly(t *testing.T) {
	const app = "http://127.0.0.1:5999"
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem", "CORS_ALLOWED_ORIGINS": app}
	s := startServer(t, env)
	env["PORT"] = strconv.Itoa(s.port)
	url := s.base + config.DevIssuerPath + netlifyTokenPath
	admin := mintFor(t, env, "admin")
	tests := []struct {
		name, method, origin string
		wantStatus           int
		wantAllowed          bool
	}{
		{"preflight from the app's origin is allowed", http.MethodOptions, app, 204, true},
		{"preflight from the server's own origin is allowed", http.MethodOptions, s.base, 204, true},
		{"preflight from another origin is 403", http.MethodOptions, "https://evil.example", 403, false},
		{"preflight from a sibling port is 403", http.MethodOptions, "http://127.0.0.1:5998", 403, false},
		{"a POST from the app's origin may be read", http.MethodPost, app, 200, true},
		// The browser keeps the answer from the page: no CORS header.
		{"a POST from another origin gets no CORS header", http.MethodPost, "https://evil.example", 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, url, nil)
			req.Header.Set("Origin", tc.origin)
			if tc.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization")
			} else {
				req.Header.Set("Authorization", "Bearer "+admin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := h.Get("Access-Control-Allow-Origin"); (got == tc.origin) != tc.wantAllowed || (!tc.wantAllowed && got != "") {
				t.Errorf("Access-Control-Allow-Origin = %q, allowed %v", got, tc.wantAllowed)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed: the token travels in a header, never a cookie")
			}
			if !slices.Contains(h.Values("Vary"), "Origin") {
				t.Errorf("Vary = %v, want Origin", h.Values("Vary"))
			}
			if tc.method == http.MethodOptions && tc.wantAllowed && (h.Get("Access-Control-Allow-Methods") != "POST" || h.Get("Access-Control-Allow-Headers") != "Authorization") {
				t.Errorf("preflight allows %q with %q, want POST with Authorization", h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}

// The exchange exists only beside the development issuer and the local
// proxy: never with a real issuer, without netlify.toml, or in Lambda.
func TestTokenExchangeIsNotServedOutsideDevelopment(t *testing.T) {
	iss := realIssuer(t)
	admin, err := iss.Mint(devissuer.Personas[2], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"a real issuer configured", map[string]string{"AUTH_ISSUER_URL": iss.URL, "AUTH0_AUDIENCE": "https://api.test", "AUTH0_CLIENT_ID": "spa"}},
		{"no netlify.toml", map[string]string{"NETLIFY_TOML": t.TempDir() + "/none.toml"}},
	} {
		t.Run("with "+tc.name+" its path is like any unknown one and the page is not told of it", func(t *testing.T) {
			tc.env["PORT"], tc.env["DEV_ISSUER_KEY_FILE"] = "0", t.TempDir()+"/dev.pem"
			s := startServer(t, tc.env)
			unknown, _ := exchange(t, s.base+config.DevIssuerPath+"no-such-endpoint", admin, "")
			resp, body := exchange(t, s.base+config.DevIssuerPath+netlifyTokenPath, admin, "")
			if resp.StatusCode != unknown.StatusCode || resp.StatusCode < 400 || strings.Contains(string(body), "token") {
				t.Errorf("POST = %d %s, want %d as for an unknown path", resp.StatusCode, body, unknown.StatusCode)
			}
			if cfg := spaConfig(t, s.base); cfg["netlifyTokenUrl"] != nil || cfg["clientId"] == nil {
				t.Errorf("spa-config.json = %v, want one without netlifyTokenUrl", cfg)
			}
		})
	}

}
