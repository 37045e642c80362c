package main

import (
	"encoding/json"
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
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var sc web.Config
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
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
