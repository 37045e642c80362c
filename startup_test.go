//go:build !lambda.norpc

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/config"
)

func TestHelpAnswersEverywhereWithoutConfiguration(t *testing.T) {
	// A configuration that does not load: help must not need one.
	broken := map[string]string{"AUTH0_DOMAIN": "https://tenant.example/ with spaces", "PORT": "not-a-port"}
	main := []string{"go run . token", "go run . netlify-token", "free", "paid", "admin", `README.md, section "Configuration"`}
	token := []string{"Usage: go run . token", "-role", "-ttl", "free|paid|admin"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"--help lists the commands, the personas and the configuration table", []string{"--help"}, main},
		{"-h is --help", []string{"-h"}, main},
		{"help is --help", []string{"help"}, main},
		{"token --help prints the token command's flags", []string{"token", "--help"}, token},
		{"token -h after other flags prints them too", []string{"token", "--role", "admin", "-h"}, token},
		{"netlify-token -h prints its flags", []string{"netlify-token", "-h"}, []string{"Usage: go run . netlify-token", "nf_jwt", "-role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), tt.args, func(k string) string { return broken[k] }, &out, io.Discard); err != nil {
				t.Fatalf("run %q = %v, want success (exit 0)", tt.args, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "eyJ") {
				t.Errorf("help printed a token:\n%s", out.String())
			}
		})
	}
}

func TestStartupTextTellsTheTruth(t *testing.T) {
	dev := func(port int) config.Config {
		return config.Config{DevIssuer: true, Port: port, BasePaths: []string{"/api"}}
	}
	issuer := "http://127.0.0.1:8080/dev-issuer/"
	tests := []struct {
		name     string
		s        startup
		want     []string
		dontWant []string
	}{
		{
			name: "a server bound to every interface says so, and how to reach it from this machine",
			s:    startup{cfg: config.Config{Port: 8080, BasePaths: []string{"/api"}}, addr: &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}},
			want: []string{"fnguard listening on http://[::]:8080, every interface (from this machine: http://127.0.0.1:8080; API under /api)\n"},
		},
		{
			name: "0.0.0.0 is every interface too",
			s:    startup{cfg: config.Config{Port: 8080, BasePaths: []string{"/api"}}, addr: &net.TCPAddr{IP: net.IPv4zero, Port: 8080}},
			want: []string{"fnguard listening on http://0.0.0.0:8080, every interface"},
		},
		{
			name:     "a server bound to loopback names loopback",
			s:        startup{cfg: dev(8080), addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, issuer: issuer},
			want:     []string{"fnguard listening on http://127.0.0.1:8080 (API under /api)\n", "TOKEN=$(go run . token --role admin)"},
			dontWant: []string{"every interface", "PORT=", "netlify-token"},
		},
		{
			name: "with AUTH_PROVIDER=netlify it suggests netlify-token for the functions",
			s:    startup{cfg: dev(8080), addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, issuer: issuer, provider: "netlify"},
			want: []string{"NF=$(go run . netlify-token --role admin)", `curl -H "Authorization: Bearer $NF" http://127.0.0.1:8080/.netlify/functions/inline/admin`},
		},
		{
			name: "on another PORT it says why a token minted for another port is refused",
			s:    startup{cfg: dev(9090), addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090}, issuer: "http://127.0.0.1:9090/dev-issuer/"},
			want: []string{"TOKEN=$(PORT=9090 go run . token --role admin)", "names its issuer, http://127.0.0.1:9090/dev-issuer/, port included", "refused here as from an unknown issuer"},
		},
		{
			name: "with PORT=0 it names the port the system picked",
			s:    startup{cfg: dev(0), addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41234}, issuer: "http://127.0.0.1:41234/dev-issuer/"},
			want: []string{"TOKEN=$(PORT=41234 go run . token --role admin)", "fnguard listening on http://127.0.0.1:41234 "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.s.print(&out)
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
			if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); !strings.HasPrefix(lines[len(lines)-1], "fnguard listening on http://") {
				t.Errorf("last line %q, want the listening line", lines[len(lines)-1])
			}
		})
	}
}

var netlifyCurl = regexp.MustCompile(`curl -H "Authorization: Bearer \$NF" (\S+)`)

// The commands the start-up text suggests with AUTH_PROVIDER=netlify work:
// the token netlify-token prints is let into the function it names.
func TestStartupCommandsWorkWithTheNetlifyProvider(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem", "AUTH_PROVIDER": "netlify",
		"NETLIFY_JWT_SECRET": "the-local-identity-secret-of-32-bytes+"}
	s := startServer(t, env)
	m := netlifyCurl.FindStringSubmatch(s.out.String())
	if m == nil {
		t.Fatalf("no netlify-token curl in:\n%s", s.out)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"netlify-token", "--role", "admin"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if status, body := get(t, m[1], strings.TrimSpace(out.String())); status != 200 || body["strategy"] != "inline" {
		t.Fatalf("GET %s = %d %v, want 200 from inline", m[1], status, body)
	}
	if !strings.HasPrefix(m[1], s.base+"/") {
		t.Errorf("the curl names %s, the server is at %s", m[1], s.base)
	}
}
