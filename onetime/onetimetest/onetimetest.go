// Package onetimetest runs the flagship for tests of single-use tokens: a
// development issuer and the flagship router, each on a real loopback
// server, with an issuer of single-use tokens.
package onetimetest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/routes"
)

// Audience is the flagship's audience in these tests.
const Audience = "https://api.test"

// Flagship is a running flagship.
type Flagship struct {
	URL        string // base URL of the API, e.g. http://127.0.0.1:1234/api
	JWKSURL    string // its single-use token JWKS
	Tokens     *onetime.Issuer
	UserTokens map[string]string // persona -> user access token
	Users      *devissuer.Issuer
}

// Start runs a flagship for t, logging to log (nil discards).
func Start(t testing.TB, log *slog.Logger, opts ...onetime.IssuerOption) *Flagship {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := devissuer.LoadOrCreateKey(t.TempDir() + "/key.pem")
	if err != nil {
		t.Fatal(err)
	}
	var users *devissuer.Issuer
	issSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { users.Handler().ServeHTTP(w, r) }))
	t.Cleanup(issSrv.Close)
	users = devissuer.New(issSrv.URL+"/", key, Audience, auth.DefaultRolesClaim)
	v, err := auth.NewVerifier(auth.Config{Issuer: users.URL, Audiences: []string{Audience}}, auth.NewKeySet(users.URL))
	if err != nil {
		t.Fatal(err)
	}
	signing, err := onetime.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := onetime.NewIssuer(signing, onetime.DefaultGrants, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes.New(routes.Options{
		Logger: log, Verifier: v, BasePaths: []string{"/api"}, Tokens: tokens,
	}))
	t.Cleanup(srv.Close)
	f := &Flagship{
		URL: srv.URL + "/api", JWKSURL: srv.URL + "/api/.well-known/jwks.json",
		Tokens: tokens, Users: users, UserTokens: map[string]string{},
	}
	for _, p := range devissuer.Personas {
		tok, err := users.Mint(p, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.UserTokens[p.Name] = tok
	}
	return f
}

// Response is a response read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// Do sends a request with an optional bearer token and body.
func Do(t testing.TB, method, url, token, contentType string, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Issue asks the flagship for a single-use token as persona, and fails t
// unless it gets one.
func (f *Flagship) Issue(t testing.TB, persona, target, action string) onetime.Issued {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"target": target, "action": action})
	r := Do(t, http.MethodPost, f.URL+"/tokens", f.UserTokens[persona], "application/json", body)
	if r.Status != http.StatusOK {
		t.Fatalf("POST /tokens as %s for %s/%s = %d %s", persona, target, action, r.Status, r.Body)
	}
	var issued onetime.Issued
	if err := json.Unmarshal(r.Body, &issued); err != nil {
		t.Fatal(err)
	}
	return issued
}
