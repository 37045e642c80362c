// Package strategytest runs the persona matrix (anonymous, invalid token,
// free, paid, admin) against a function strategy, with both providers:
// Auth0 tokens from a development issuer served on loopback, and Netlify
// Identity tokens signed with a known HS256 secret and delivered the way
// Netlify delivers them (Bearer header plus client context).
package strategytest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/jwssign"
	"github.com/fnguard/fnguard/strategies/guard"
	"github.com/fnguard/fnguard/strategies/provider"
)

// Secret is the Netlify Identity JWT secret of the tests.
const Secret = "strategytest-netlify-identity-jwt-secret"

// Audience is the Auth0 API identifier of the tests.
const Audience = "https://api.fnguard.test"

// Provider is one identity provider, set up for tests.
type Provider struct {
	Name  string
	Auth  auth.Authenticator
	Env   []string // the function's environment for this provider
	token map[string]string
	// netlify: the client context Netlify would attach for each persona.
	context map[string]string
	mint    func(testing.TB) // fills token (and context), valid for an hour
}

// Remint issues the personas' tokens again, valid for an hour from now:
// for a test that starts slow servers between making the provider and
// checking expires_at.
func (p *Provider) Remint(t testing.TB) {
	t.Helper()
	p.mint(t)
}

// Personas are the callers of the matrix, by name; anonymous sends nothing
// and invalid sends a token signed with a key nobody trusts.
var Personas = []string{"anonymous", "invalid", "free", "paid", "admin"}

// Subject is the sub of a persona's tokens, for both providers.
func Subject(persona string) string {
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		return ""
	}
	return p.Subject
}

// Token is the Authorization header value a persona sends, or "".
func (p *Provider) Token(persona string) string { return p.token[persona] }

// ClientContext is clientContext.custom.netlify for a persona, or "".
func (p *Provider) ClientContext(persona string) string { return p.context[persona] }

// Auth0 starts a development issuer on loopback and returns the Auth0
// provider trusting it, configured through provider.Load as a function is.
func Auth0(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var dev *devissuer.Issuer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { dev.Handler().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	dev = devissuer.New(srv.URL+"/", key, Audience, auth.DefaultRolesClaim)
	env := []string{"AUTH_PROVIDER=auth0", "AUTH_ISSUER_URL=" + dev.URL, "AUTH0_AUDIENCE=" + Audience}
	p := &Provider{Name: provider.Auth0, Env: env, token: map[string]string{}}
	p.Auth = authenticator(t, env)

	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p.mint = func(t testing.TB) {
		for _, name := range []string{"free", "paid", "admin"} {
			persona, _ := devissuer.LookupPersona(name)
			tok, err := dev.Mint(persona, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			p.token[name] = "Bearer " + tok
		}
		admin, _ := devissuer.LookupPersona("admin")
		forged, err := jwssign.Sign(stranger, map[string]any{"alg": "RS256", "typ": "JWT", "kid": dev.KeyID()}, dev.Claims(admin, time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		p.token["invalid"] = "Bearer " + forged
	}
	p.mint(t)
	return p
}

// Netlify returns the Netlify Identity provider with Secret, configured
// through provider.Load as a function is.
func Netlify(t testing.TB) *Provider {
	t.Helper()
	env := []string{"AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET=" + Secret}
	p := &Provider{Name: provider.Netlify, Env: env, token: map[string]string{}, context: map[string]string{}}
	p.Auth = authenticator(t, env)
	p.mint = func(t testing.TB) {
		for _, name := range []string{"free", "paid", "admin"} {
			persona, _ := devissuer.LookupPersona(name)
			claims := IdentityClaims(persona.Subject, persona.Roles...)
			p.token[name] = "Bearer " + SignHS256(t, []byte(Secret), map[string]any{"alg": "HS256", "typ": "JWT"}, claims)
			p.context[name] = NetlifyContext(t, claims)
		}
		// An admin token signed with another secret, and the context a
		// proxy that did not check it (netlify dev) would build from it.
		admin := IdentityClaims(Subject("admin"), "admin")
		p.token["invalid"] = "Bearer " + SignHS256(t, []byte("not-the-site-secret-but-long-enough"), map[string]any{"alg": "HS256", "typ": "JWT"}, admin)
		p.context["invalid"] = NetlifyContext(t, admin)
	}
	p.mint(t)
	return p
}

// Providers are both providers.
func Providers(t testing.TB) []*Provider { return []*Provider{Auth0(t), Netlify(t)} }

func authenticator(t testing.TB, env []string) auth.Authenticator {
	t.Helper()
	cfg, err := provider.Load(Getenv(env))
	if err != nil {
		t.Fatal(err)
	}
	a, err := cfg.Authenticator(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Getenv reads "NAME=value" entries.
func Getenv(env []string) func(string) string {
	return func(name string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, _ := strings.Cut(env[i], "="); k == name {
				return v
			}
		}
		return ""
	}
}

// IdentityClaims are the claims of a Netlify Identity token.
func IdentityClaims(sub string, roles ...string) map[string]any {
	if roles == nil {
		roles = []string{}
	}
	now := time.Now()
	return map[string]any{
		"sub":           sub,
		"email":         strings.ReplaceAll(sub, "|", ".") + "@example.com",
		"exp":           now.Add(time.Hour).Unix(),
		"iat":           now.Unix(),
		"app_metadata":  map[string]any{"provider": "email", "roles": roles},
		"user_metadata": map[string]any{"full_name": sub},
	}
}

// SignHS256 signs claims under header with secret, whatever header says
// the algorithm is.
func SignHS256(t testing.TB, secret []byte, header, claims map[string]any) string {
	t.Helper()
	input, err := jwssign.SigningInput(header, claims)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// NetlifyContext is clientContext.custom.netlify for a user with claims.
func NetlifyContext(t testing.TB, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"identity": map[string]any{"url": "https://fnguard.netlify.app/.netlify/identity", "token": "short-lived-admin-token"},
		"user":     claims,
	})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Event is the fixture testdata/netlify-v1.json (a GET as Netlify sends it)
// for function and endpoint, with authorization as its Authorization
// header when not empty.
func Event(t testing.TB, function, endpoint, authorization string) events.APIGatewayProxyRequest {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "testdata", "netlify-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.NewReplacer("FUNCTION", function, "ENDPOINT", endpoint).Replace(string(raw)))
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		ev.Headers["authorization"] = authorization
		ev.MultiValueHeaders["authorization"] = []string{authorization}
	}
	return ev
}

// Context is the invocation context Netlify gives a function, carrying
// netlify as clientContext.custom.netlify when not empty.
func Context(netlify string) context.Context {
	lc := &lambdacontext.LambdaContext{AwsRequestID: "8f5cf9a2-5c8e-4f6e-9a0b-2f7c3d1e0a9b"}
	if netlify != "" {
		lc.ClientContext.Custom = map[string]string{guard.NetlifyContextKey: netlify}
	}
	return lambdacontext.NewContext(context.Background(), lc)
}
