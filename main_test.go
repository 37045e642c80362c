//go:build !lambda.norpc

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth/devissuer"
)

// server is the local server started through run, as `go run .` would.
type server struct {
	base string // http://127.0.0.1:PORT
	port int
	done chan error
	out  *bytes.Buffer // stdout, readable after done
}

var listening = regexp.MustCompile(`fnguard listening on (http://127\.0\.0\.1:(\d+))`)

func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &server{done: make(chan error, 1), out: &bytes.Buffer{}}
	go func() {
		err := run(ctx, nil, func(k string) string { return env[k] }, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		s.done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		s.out.WriteString(line + "\n")
		if m := listening.FindStringSubmatch(line); m != nil {
			s.base = m[1]
			s.port, _ = strconv.Atoi(m[2])
			break
		}
	}
	if s.base == "" {
		cancel()
		t.Fatalf("server did not start: %v\n%s", <-s.done, s.out)
	}
	rest := make(chan struct{})
	go func() {
		for sc.Scan() {
			s.out.WriteString(sc.Text() + "\n")
		}
		close(rest)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("server did not shut down")
		}
		<-rest
	})
	return s
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func mintWithCLI(t *testing.T, env map[string]string, persona string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--role", persona}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("token --role %s: %v", persona, err)
	}
	return strings.TrimSpace(out.String())
}

func TestLocalServerWithDevelopmentIssuer(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"}
	s := startServer(t, env)
	if !strings.Contains(s.out.String(), "go run . token --role admin") {
		t.Errorf("startup message does not say how to get a token:\n%s", s.out)
	}
	// The token command signs for the server on the same PORT.
	env["PORT"] = strconv.Itoa(s.port)
	tests := []struct {
		persona string
		route   string
		status  int
	}{
		{"", "/api/public", 200},
		{"", "/api/me", 401},
		{"free", "/api/me", 200},
		{"free", "/api/paid", 403},
		{"paid", "/api/paid", 200},
		{"paid", "/api/admin", 403},
		{"admin", "/api/admin", 200},
	}
	tokens := map[string]string{}
	for _, tt := range tests {
		name := tt.persona
		if name == "" {
			name = "anonymous"
		}
		t.Run(name+" GET "+tt.route+" is "+strconv.Itoa(tt.status), func(t *testing.T) {
			tok := ""
			if tt.persona != "" {
				if tokens[tt.persona] == "" {
					tokens[tt.persona] = mintWithCLI(t, env, tt.persona)
				}
				tok = tokens[tt.persona]
			}
			status, body := get(t, s.base+tt.route, tok)
			if status != tt.status {
				t.Fatalf("status = %d, want %d: %v", status, tt.status, body)
			}
		})
	}
	status, body := get(t, s.base+"/dev-issuer/.well-known/openid-configuration", "")
	if status != 200 || body["issuer"] != s.base+"/dev-issuer/" {
		t.Errorf("discovery: %d %v", status, body)
	}
}

func TestDevelopmentIssuerIsOffWhenAnIssuerIsConfigured(t *testing.T) {
	key, err := devissuer.LoadOrCreateKey(t.TempDir() + "/k.pem")
	if err != nil {
		t.Fatal(err)
	}
	var iss *devissuer.Issuer
	is := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Handler().ServeHTTP(w, r) }))
	defer is.Close()
	iss = devissuer.New(is.URL+"/", key, "https://api.test", "https://fnguard.dev/roles")

	env := map[string]string{"PORT": "0", "HOST": "127.0.0.1", "AUTH_ISSUER_URL": iss.URL, "AUTH0_AUDIENCE": "https://api.test",
		"DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"}
	s := startServer(t, env)
	if strings.Contains(s.out.String(), "Development issuer") {
		t.Errorf("startup mentions the development issuer:\n%s", s.out)
	}
	if status, _ := get(t, s.base+"/dev-issuer/.well-known/jwks.json", ""); status != http.StatusNotFound {
		t.Errorf("dev issuer JWKS = %d, want 404", status)
	}
	var out bytes.Buffer
	err = run(context.Background(), []string{"token", "--role", "admin"}, func(k string) string { return env[k] }, &out, io.Discard)
	if err == nil || out.Len() != 0 {
		t.Errorf("token command with an issuer configured: err %v, out %q", err, out.String())
	}
	// Tokens of the configured issuer work.
	tok, err := iss.Mint(devissuer.Personas[2], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := get(t, s.base+"/api/admin", tok); status != 200 {
		t.Errorf("admin with the configured issuer's token: %d %v", status, body)
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		mention string
	}{
		{"Lambda without an issuer", nil, map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"}, "AUTH0_DOMAIN"},
		{"unknown command", []string{"serve-everything"}, map[string]string{}, "unknown command"},
		{"unknown persona", []string{"token", "--role", "root"}, map[string]string{"DEV_ISSUER_KEY_FILE": "/nonexistent/k.pem"}, "unknown persona"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.mention)
			}
		})
	}
}
