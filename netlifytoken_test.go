//go:build !lambda.norpc

package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func mintNetlifyWithCLI(t *testing.T, env map[string]string, persona string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"netlify-token", "--role", persona}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("netlify-token --role %s: %v", persona, err)
	}
	return strings.TrimSpace(out.String())
}

func getWithCookie(t *testing.T, url, nfJWT string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if nfJWT != "" {
		req.AddCookie(&http.Cookie{Name: "nf_jwt", Value: nfJWT})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// go run . enforces netlify.toml's role rules, with the development secret
// of its [dev] table, which `go run . netlify-token` signs with.
func TestLocalServerEnforcesTheRoleRulesOfNetlifyTOML(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"}
	s := startServer(t, env)
	tests := []struct {
		persona, path string
		status        int
	}{
		{"admin", "/admin-only/", 200},
		{"admin", "/paid-only/x", 200},
		{"paid", "/paid-only/x", 200},
		{"paid", "/admin-only/", 401},
		{"free", "/paid-only/x", 401},
		{"", "/admin-only/", 401},
		// No rule in front of the direct URL: the function says no itself.
		{"paid", "/.netlify/functions/admin-only", 403},
		{"", "/.netlify/functions/paid-only", 401},
	}
	for _, tc := range tests {
		t.Run(tc.persona+" GET "+tc.path, func(t *testing.T) {
			cookie := ""
			if tc.persona != "" {
				cookie = mintNetlifyWithCLI(t, env, tc.persona)
			}
			if got := getWithCookie(t, s.base+tc.path, cookie); got != tc.status {
				t.Fatalf("status %d; want %d", got, tc.status)
			}
		})
	}
}

func TestRunRefusesANetlifyTOMLWhoseRulesItCannotEnforce(t *testing.T) {
	path := t.TempDir() + "/netlify.toml"
	rule := "[[redirects]]\nfrom = \"/x/*\"\nto = \"/.netlify/functions/x\"\nstatus = 200\nconditions = {Role = [\"admin\"], Country = [\"FR\"]}\n"
	if err := os.WriteFile(path, []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem", "NETLIFY_TOML": path}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "Country") {
		t.Fatalf("run = %v; want a refusal naming the Country condition", err)
	}
}
