package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/web"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestWritesTheConfigNetlifyPublishes(t *testing.T) {
	dir := t.TempDir()
	fnDir := filepath.Join(dir, "functions")
	for _, name := range []string{"inline", "decorator", "admin-only"} {
		if err := os.MkdirAll(filepath.Join(fnDir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "spa-config.json")
	err := run([]string{"-o", out, "-functions", fnDir}, env(map[string]string{
		"AUTH0_DOMAIN": "tenant.eu.auth0.com", "AUTH0_AUDIENCE": "https://api.example", "AUTH0_CLIENT_ID": "abc123",
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, sc := readConfig(t, out)
	if sc.Domain != "https://tenant.eu.auth0.com" || sc.ClientID != "abc123" || sc.Audience != "https://api.example" || sc.APIOrigin != "" || sc.DevIssuer {
		t.Errorf("config = %+v", sc)
	}
	// Netlify Identity sets nf_jwt there: the page is given no exchange.
	if strings.Contains(string(b), "netlifyTokenUrl") {
		t.Errorf("the published config names a token exchange: %s", b)
	}
	cookieRows := map[string]bool{}
	for _, e := range sc.Endpoints {
		if e.Credential == functions.Cookie {
			cookieRows[e.Path] = true
		}
	}
	if !cookieRows["/admin-only/"] || cookieRows["/paid-only/"] {
		t.Errorf("proxy-level rows %v, want /admin-only/ only (deployed: admin-only)", cookieRows)
	}
	strategies := map[string]bool{}
	for _, e := range sc.Endpoints {
		if rest, ok := strings.CutPrefix(e.Path, functions.Path+"/"); ok {
			strategies[strings.SplitN(rest, "/", 2)[0]] = true
		}
	}
	for name, want := range map[string]bool{"inline": true, "decorator": true, "middleware": false, "authorized": false} {
		if strategies[name] != want {
			t.Errorf("strategy %s listed = %v, want %v (deployed functions: inline, decorator)", name, strategies[name], want)
		}
	}
}

func TestRefusesToConfigureTheDevelopmentIssuer(t *testing.T) {
	var sb strings.Builder
	err := run(nil, env(map[string]string{"DEV_ISSUER_KEY_FILE": "/nonexistent"}), &sb)
	if err == nil || !strings.Contains(err.Error(), "AUTH0_DOMAIN") || sb.Len() != 0 {
		t.Errorf("err = %v, output %q", err, sb.String())
	}
}

func TestNamesAMissingClientID(t *testing.T) {
	err := run(nil, env(map[string]string{"AUTH0_DOMAIN": "tenant.eu.auth0.com", "AUTH0_AUDIENCE": "https://api.example"}), nil)
	if err == nil || !strings.Contains(err.Error(), "AUTH0_CLIENT_ID") {
		t.Errorf("err = %v", err)
	}
}

func TestHelpPrintsTheUsageAndSucceeds(t *testing.T) {
	for _, flag := range []string{"-h", "--help"} {
		t.Run(flag+" prints the usage and succeeds", func(t *testing.T) {
			var sb strings.Builder
			// No configuration at all: help needs none.
			if err := run([]string{flag}, env(nil), &sb); err != nil {
				t.Fatalf("run %s = %v, want success", flag, err)
			}
			for _, want := range []string{"Usage: go run ./web/cmd/spaconfig", "AUTH0_CLIENT_ID", "-functions"} {
				if !strings.Contains(sb.String(), want) {
					t.Errorf("usage lacks %q:\n%s", want, sb.String())
				}
			}
		})
	}
}

// Netlify sends the Content-Security-Policy the build wrote to _headers; the
// local server sends the one it builds. For any issuer, the two are the same
// policy, and it lets the page reach that issuer.
func TestTheHeadersNetlifyPublishesCarryTheLocalServersPolicy(t *testing.T) {
	tests := []struct {
		name, wantOrigin string
		env              map[string]string
	}{
		{"an Auth0 tenant", "https://tenant.eu.auth0.com", map[string]string{"AUTH0_DOMAIN": "tenant.eu.auth0.com"}},
		{"an Auth0 custom domain", "https://login.example.com", map[string]string{"AUTH0_DOMAIN": "login.example.com"}},
		{"another OIDC issuer", "https://idp.example.org", map[string]string{"AUTH_ISSUER_URL": "https://idp.example.org/realms/fnguard/"}},
	}
	for _, tt := range tests {
		t.Run("with "+tt.name+" the two agree and name its origin", func(t *testing.T) {
			tt.env["AUTH0_AUDIENCE"], tt.env["AUTH0_CLIENT_ID"] = "https://api.example", "abc123"
			dir := t.TempDir()
			out, headers := filepath.Join(dir, "spa-config.json"), filepath.Join(dir, "_headers")
			if err := run([]string{"-o", out, "-headers", headers, "-functions", dir}, env(tt.env), nil); err != nil {
				t.Fatal(err)
			}
			published := netlifyCSP(t, headers)

			_, sc := readConfig(t, out)
			h, err := web.Handler(web.Files(), sc)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if local := rec.Header().Get("Content-Security-Policy"); rec.Code != 200 || local != published {
				t.Fatalf("local server: %d %q\n_headers: %q", rec.Code, local, published)
			}
			if !strings.Contains(published, "connect-src 'self' "+tt.wantOrigin+";") {
				t.Errorf("CSP %q does not let the page reach %s", published, tt.wantOrigin)
			}
		})
	}
}

// netlifyCSP reads the policy of "/*" from a _headers file.
func netlifyCSP(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var csp string
	inAll := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			inAll = line == "/*"
		case inAll:
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Content-Security-Policy: "); ok {
				csp = v
			}
		}
	}
	if csp == "" {
		t.Fatalf("%s sets no Content-Security-Policy for /*:\n%s", path, b)
	}
	return csp
}

// The policy comes from _headers alone: a second one in netlify.toml would
// be sent too, and a browser enforces both (the stricter wins), which is
// how a custom domain ended up blocked.
func TestNetlifyTOMLLeavesTheCSPToTheBuild(t *testing.T) {
	b, err := os.ReadFile("../../../netlify.toml")
	if err != nil {
		t.Fatal(err)
	}
	toml := string(b)
	for _, line := range strings.Split(toml, "\n") {
		if strings.Contains(line, "Content-Security-Policy") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			t.Errorf("netlify.toml sets a Content-Security-Policy: %s", line)
		}
	}
	if !strings.Contains(toml, `publish = "web/public"`) || !strings.Contains(toml, "spaconfig -o web/public/spa-config.json -headers web/public/_headers") {
		t.Errorf("netlify.toml's build does not write web/public/_headers beside spa-config.json")
	}
}

// readConfig reads the spa-config.json run wrote, raw and decoded.
func readConfig(t *testing.T, path string) ([]byte, web.Config) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sc web.Config
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	return b, sc
}
