//go:build unix

// Package netlifycli runs the real Netlify CLI (`netlify dev`, pinned in
// netlify/cli/package.json) on a copy of the repository, and checks through
// Netlify's own redirect engine and Go runtime that every function answers
// as it does under `go run .`.
package netlifycli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/netlifydev"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/replay/redistest"
)

// appOrigin is the page's origin the functions allow, as a deployed site
// would list its own.
const appOrigin = "http://localhost:5173"

// answer is an HTTP response, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// client neither decompresses (the tests look at Content-Encoding
// themselves) nor follows redirects.
var client = &http.Client{
	Timeout:       requestTimeout,
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func call(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	for attempt := 1; ; attempt++ {
		a := callOnce(t, method, url, header, body)
		if !emulatorCrashed(a) || attempt == 3 {
			return a
		}
		t.Logf("%s %s: netlify dev's Lambda emulator crashed before the function ran; again (%d)", method, url, attempt)
	}
}

// emulatorCrashed recognises a known failure of netlify dev, not of the
// function: under load, local-functions-proxy (netlify-cli 23.15.1) can
// dereference its sandbox's interop server before the goroutine that
// creates it has run, panic in rapidcore.(*SandboxBuilder).Init, and the
// CLI answers 500 with the panic. The function never started, so the
// request can be sent again (a single-use token is not spent).
func emulatorCrashed(a answer) bool {
	return a.status == http.StatusInternalServerError &&
		bytes.Contains(a.body, []byte("local-functions-proxy")) &&
		bytes.Contains(a.body, []byte("rapidcore.(*SandboxBuilder).Init"))
}

func callOnce(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, url, err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// event is the answer as the strategies' matrix checks a function's.
func (a answer) event() events.APIGatewayProxyResponse {
	h := map[string]string{}
	for k, v := range a.header {
		if k == "Www-Authenticate" {
			k = "WWW-Authenticate"
		}
		h[k] = strings.Join(v, ", ")
	}
	return events.APIGatewayProxyResponse{StatusCode: a.status, Headers: h, Body: string(a.body)}
}

// decoded is the body as a client reads it.
func (a answer) decoded(t *testing.T) []byte {
	t.Helper()
	if a.header.Get("Content-Encoding") != "gzip" {
		return a.body
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.body))
	if err != nil {
		t.Fatalf("Content-Encoding: gzip over a body that does not gunzip (%q...): %v", a.body[:min(len(a.body), 40)], err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return b
}

// comparedHeaders are the headers an answer under netlify dev must share
// with `go run .`'s. Netlify adds its own (Server, X-Nf-Request-Id, the
// [[headers]] of netlify.toml), and X-Request-Id differs per request.
var comparedHeaders = []string{
	"Content-Type", "Cache-Control", "Content-Encoding", "Vary", "WWW-Authenticate",
	"X-Content-Type-Options", "Allow",
	"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Max-Age", "Access-Control-Expose-Headers", "Access-Control-Allow-Credentials",
}

// functionHeaders are what the other functions' answers must share:
// `go run .` serves them behind the flagship's router, whose CORS
// middleware adds "Vary: Origin"; Netlify serves them bare.
var functionHeaders = slices.DeleteFunc(slices.Clone(comparedHeaders), func(h string) bool { return h == "Vary" })

// sameAs fails unless got (netlify dev) answered as want (`go run .`),
// status, body and headers.
func sameAs(t *testing.T, got, want answer, headers []string) {
	t.Helper()
	if got.status != want.status {
		t.Fatalf("status %d, `go run .` answers %d; body %s", got.status, want.status, got.body)
	}
	for _, h := range headers {
		if g, w := strings.Join(got.header.Values(h), ", "), strings.Join(want.header.Values(h), ", "); g != w {
			t.Errorf("%s: %q, `go run .` sends %q", h, g, w)
		}
	}
	if !bytes.Equal(got.body, want.body) {
		t.Errorf("body %s\n`go run .` answers %s", got.body, want.body)
	}
}

// devJWTSecret is netlify.toml's [dev] jwtSecret, with which netlify dev's
// users sign their nf_jwt cookies.
func devJWTSecret(t *testing.T, site string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(site, "netlify.toml"))
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := netlifydev.Parse(data)
	if err != nil || f.Dev.JWTSecret == "" {
		t.Fatalf("netlify.toml has no [dev] jwtSecret: %v", err)
	}
	return f.Dev.JWTSecret
}

// cookie is the Cookie header carrying a persona's nf_jwt, signed with
// secret; anonymous sends none, invalid signs an admin's claims with a
// secret nobody trusts.
func cookie(t *testing.T, secret, persona string) map[string]string {
	t.Helper()
	header := map[string]any{"alg": "HS256", "typ": "JWT"}
	var jwt string
	switch persona {
	case "anonymous":
		return nil
	case "invalid":
		jwt = strategytest.SignHS256(t, []byte("not-the-site-secret-but-long-enough-too"), header, strategytest.IdentityClaims(strategytest.Subject("admin"), "admin"))
	default:
		p, err := devissuer.LookupPersona(persona)
		if err != nil {
			t.Fatal(err)
		}
		jwt = strategytest.SignHS256(t, []byte(secret), header, strategytest.IdentityClaims(p.Subject, p.Roles...))
	}
	return map[string]string{"Cookie": "nf_jwt=" + jwt}
}

// TestNetlifyDev starts `netlify dev` and `go run .` on the same copy of
// the repository, with the same loopback issuer, Redis and settings, and
// sends both the same requests.
func TestNetlifyDev(t *testing.T) {
	requireNode(t)
	started := time.Now()
	root := repoRoot(t)
	netlify := netlifyCLI(t, root)
	installed := time.Now()
	dir := copyRepo(t, root)

	issuer := strategytest.Auth0(t)
	redis := redistest.Start(t)
	key, err := onetime.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := key.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	env := append(baseEnv(t), issuer.Env...)
	env = append(env,
		"ONETIME_SIGNING_KEY="+string(pem),
		"REDIS_URL="+redis.URL,
		"CORS_ALLOWED_ORIGINS="+appOrigin,
		"LOG_LEVEL=debug",
	)
	artifacts := filepath.Join(root, ".artifacts", "netlifycli")
	// The reports function fetches the key of single-use tokens from the
	// flagship, through netlify dev: its URL is known once the port is.
	// netlify dev checks nf_jwt with netlify.toml's [dev] jwtSecret, and
	// its functions must too. `go run .` with a real issuer refuses that
	// published secret (anyone could sign an admin cookie with it): it gets
	// a secret of its own.
	ndSecret, localSecret := devJWTSecret(t, dir), "netlifycli-test-local-identity-secret-0123456789"
	nd := startNetlifyDev(t, netlify, dir, filepath.Join(artifacts, "netlify-dev.log"), append(env, "NETLIFY_JWT_SECRET="+ndSecret),
		func(base string) []string { return []string{"ONETIME_JWKS_URL=" + base + "/api/.well-known/jwks.json"} })
	local := startLocalServer(t, dir, filepath.Join(artifacts, "go-run.log"), append(env, "NETLIFY_JWT_SECRET="+localSecret))
	t.Logf("netlify-cli ready in %v, both servers in %v more", installed.Sub(started).Round(time.Second), time.Since(installed).Round(time.Second))
	// The servers took minutes to start: tokens minted now expire an hour
	// from now, as the matrix expects.
	issuer.Remint(t)

	t.Run("flagship", func(t *testing.T) { testFlagship(t, nd, local, issuer) })
	t.Run("function strategies", func(t *testing.T) { testStrategies(t, nd, local, issuer) })
	t.Run("role rules", func(t *testing.T) { testRoleRules(t, nd, local, ndSecret, localSecret) })
	t.Run("single-use tokens", func(t *testing.T) { testSingleUse(t, nd, issuer, key) })

	// The functions' own log lines (JSON) never hold a credential. (The
	// CLI's do: it prints the whole event, Authorization included, when a
	// function fails.)
	for _, line := range nd.lines(t, "eyJ") {
		if strings.HasPrefix(line, "{") {
			t.Errorf("a function logged something that looks like a token: %s", line)
		}
	}
	t.Logf("netlify dev test: %v in all (%v after the CLI was ready)", time.Since(started).Round(time.Second), time.Since(installed).Round(time.Second))
}

// routes are the flagship's GET routes, and what a persona gets from each.
var flagshipRoutes = []string{"health", "public", "me", "paid", "admin"}

func expected(persona, route string) int {
	for _, c := range strategytest.Matrix {
		if c.Persona == persona && c.Endpoint == route {
			return c.Status
		}
	}
	return http.StatusOK // health and public are open to all
}

// challenge is the WWW-Authenticate and body the flagship answers a
// refused persona.
func challenge(persona string, status int) (string, string) {
	switch {
	case status == http.StatusForbidden:
		return strategytest.ForbiddenChallenge, strategytest.ForbiddenBody
	case status == http.StatusUnauthorized && persona == "anonymous":
		return strategytest.NoTokenChallenge, strategytest.NoTokenBody
	case status == http.StatusUnauthorized:
		return strategytest.InvalidChallenge, strategytest.InvalidBody
	}
	return "", ""
}

func testFlagship(t *testing.T, nd, local *site, p *strategytest.Provider) {
	for _, base := range []string{"/api", "/.netlify/functions/api"} {
		for _, persona := range strategytest.Personas {
			for _, route := range flagshipRoutes {
				want := expected(persona, route)
				t.Run(base+": "+persona+" user calling "+route+" is "+http.StatusText(want), func(t *testing.T) {
					h := map[string]string{"Authorization": p.Token(persona)}
					got := call(t, http.MethodGet, nd.URL+base+"/"+route, h, "")
					if got.status != want {
						t.Fatalf("status %d, want %d; body %s", got.status, want, got.body)
					}
					if ch, body := challenge(persona, want); ch != "" {
						if g := got.header.Get("WWW-Authenticate"); g != ch {
							t.Errorf("WWW-Authenticate %q, want %q", g, ch)
						}
						if string(got.body) != body {
							t.Errorf("body %s, want %s", got.body, body)
						}
					}
					sameAs(t, got, call(t, http.MethodGet, local.URL+"/api/"+route, h, ""), comparedHeaders)
				})
			}
		}
	}

	admin := p.Token("admin")
	tests := []struct {
		name, method, path string
		header             map[string]string
		check              func(t *testing.T, got answer)
	}{
		{"an unknown route is a JSON 404", http.MethodGet, "/nope", nil, func(t *testing.T, got answer) {
			if got.status != http.StatusNotFound || !strings.Contains(string(got.body), `"not_found"`) {
				t.Fatalf("%d %s", got.status, got.body)
			}
		}},
		{"a wrong method is a JSON 405", http.MethodDelete, "/me", map[string]string{"Authorization": admin}, func(t *testing.T, got answer) {
			if got.status != http.StatusMethodNotAllowed {
				t.Fatalf("%d %s", got.status, got.body)
			}
		}},
		{"the app's origin may read the answer", http.MethodGet, "/me", map[string]string{"Authorization": admin, "Origin": appOrigin}, func(t *testing.T, got answer) {
			if got.header.Get("Access-Control-Allow-Origin") != appOrigin {
				t.Fatalf("Access-Control-Allow-Origin %q", got.header.Get("Access-Control-Allow-Origin"))
			}
		}},
		{"the app's preflight is allowed", http.MethodOptions, "/me", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}, func(t *testing.T, got answer) {
			if got.header.Get("Access-Control-Allow-Origin") != appOrigin || !strings.Contains(strings.ToLower(got.header.Get("Access-Control-Allow-Headers")), "authorization") {
				t.Fatalf("%d %v", got.status, got.header)
			}
		}},
		{"another origin may not read the answer", http.MethodGet, "/me", map[string]string{"Authorization": admin, "Origin": "https://evil.example"}, func(t *testing.T, got answer) {
			if got.header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("Access-Control-Allow-Origin %q for another origin", got.header.Get("Access-Control-Allow-Origin"))
			}
		}},
		{"another origin's preflight is refused", http.MethodOptions, "/me", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}, func(t *testing.T, got answer) {
			if got.header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("Access-Control-Allow-Origin %q for another origin", got.header.Get("Access-Control-Allow-Origin"))
			}
		}},
	}
	for _, base := range []string{"/api", "/.netlify/functions/api"} {
		for _, tt := range tests {
			t.Run(base+": "+tt.name, func(t *testing.T) {
				got := call(t, tt.method, nd.URL+base+tt.path, tt.header, "")
				tt.check(t, got)
				sameAs(t, got, call(t, tt.method, local.URL+"/api"+tt.path, tt.header, ""), comparedHeaders)
			})
		}
		// netlify dev cannot carry a compressed body (its Go runtime drops
		// isBase64Encoded), so there the flagship answers plain JSON; the
		// client reads what `go run .` sends it gzipped.
		t.Run(base+": a client that accepts gzip reads the same JSON as from `go run .`", func(t *testing.T) {
			h := map[string]string{"Authorization": admin, "Accept-Encoding": "gzip"}
			want := call(t, http.MethodGet, local.URL+"/api/me", h, "")
			if want.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("`go run .` did not gzip: %v", want.header)
			}
			got := call(t, http.MethodGet, nd.URL+base+"/me", h, "")
			if got.status != http.StatusOK {
				t.Fatalf("status %d; body %s", got.status, got.body)
			}
			if g, w := got.decoded(t), want.decoded(t); !bytes.Equal(g, w) {
				t.Fatalf("body %s\n`go run .` answers %s", g, w)
			}
		})
	}
}

func testStrategies(t *testing.T, nd, local *site, p *strategytest.Provider) {
	for _, fn := range []string{"inline", "middleware", "decorator"} {
		for _, c := range strategytest.Matrix {
			t.Run(fn+": "+c.Name(p.Name), func(t *testing.T) {
				path := "/.netlify/functions/" + fn + "/" + c.Endpoint
				h := map[string]string{"Authorization": p.Token(c.Persona)}
				got := call(t, http.MethodGet, nd.URL+path, h, "")
				strategytest.Check(t, fn, p.Name, c, got.event(), strategytest.Options{})
				sameAs(t, got, call(t, http.MethodGet, local.URL+path, h, ""), functionHeaders)
			})
		}
	}
}

func testRoleRules(t *testing.T, nd, local *site, ndSecret, localSecret string) {
	// What each persona's nf_jwt gets: the role rules of netlify.toml
	// answer the rule paths (the 401 page for callers without the role,
	// a forged cookie included: Netlify's redirect engine verifies it with
	// the [dev] jwtSecret); the functions check again at their direct URLs.
	tests := []struct {
		path   string
		status map[string]int
	}{
		{"/admin-only/", map[string]int{"anonymous": 401, "invalid": 401, "free": 401, "paid": 401, "admin": 200}},
		{"/paid-only/report", map[string]int{"anonymous": 401, "invalid": 401, "free": 401, "paid": 200, "admin": 200}},
		{"/.netlify/functions/admin-only", map[string]int{"anonymous": 401, "invalid": 401, "free": 403, "paid": 403, "admin": 200}},
		{"/.netlify/functions/paid-only", map[string]int{"anonymous": 401, "invalid": 401, "free": 403, "paid": 200, "admin": 200}},
	}
	for _, tt := range tests {
		for _, persona := range strategytest.Personas {
			want := tt.status[persona]
			t.Run(persona+" nf_jwt at "+tt.path+" is "+http.StatusText(want), func(t *testing.T) {
				got := call(t, http.MethodGet, nd.URL+tt.path, cookie(t, ndSecret, persona), "")
				if got.status != want {
					t.Fatalf("status %d, want %d; body %.300s", got.status, want, got.body)
				}
				w := call(t, http.MethodGet, local.URL+tt.path, cookie(t, localSecret, persona), "")
				headers := functionHeaders
				if want != http.StatusOK && !strings.HasPrefix(tt.path, "/.netlify/functions/") {
					// The rule's 401 page is a published file: Netlify sends
					// it with its static-file caching and netlify.toml's
					// [[headers]], which the local stand-in does not copy.
					headers = []string{"Content-Type"}
				}
				sameAs(t, got, w, headers)
			})
		}
	}
}

func testSingleUse(t *testing.T, nd *site, p *strategytest.Provider, key *onetime.Key) {
	var jwks struct {
		Keys []struct {
			KeyID string `json:"kid"`
		} `json:"keys"`
	}
	got := call(t, http.MethodGet, nd.URL+"/api/.well-known/jwks.json", nil, "")
	if err := json.Unmarshal(got.body, &jwks); err != nil || got.status != http.StatusOK || len(jwks.Keys) != 1 || jwks.Keys[0].KeyID != key.KeyID() {
		t.Fatalf("JWKS %d %s (%v); want the one key of ONETIME_SIGNING_KEY, %s", got.status, got.body, err, key.KeyID())
	}
	issued := call(t, http.MethodPost, nd.URL+"/api/tokens",
		map[string]string{"Authorization": p.Token("paid"), "Content-Type": "application/json"},
		`{"target":"reports","action":"read"}`)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(issued.body, &tok); err != nil || issued.status != http.StatusOK || tok.Token == "" {
		t.Fatalf("POST /api/tokens: %d %s", issued.status, issued.body)
	}
	reports := nd.URL + "/.netlify/functions/reports"
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"the single-use token opens the report once", tok.Token, http.StatusOK},
		{"the same token again is refused", tok.Token, http.StatusUnauthorized},
		{"the user's own access token is refused", strings.TrimPrefix(p.Token("paid"), "Bearer "), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := call(t, http.MethodGet, reports, map[string]string{"Authorization": "Bearer " + tt.token}, "")
			if got.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", got.status, tt.status, got.body)
			}
			if tt.status == http.StatusOK && !strings.Contains(string(got.body), `"sub":"`+strategytest.Subject("paid")+`"`) {
				t.Fatalf("body %s, want the paid user's report", got.body)
			}
		})
	}
}
