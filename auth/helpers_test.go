package auth

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/issuerurl"
	"github.com/fnguard/fnguard/internal/jwssign"
)

// The audiences every test verifier accepts: tokens are minted for the
// first; the second proves that any configured audience is enough.
const (
	testAudience   = "https://api.fnguard.test"
	secondAudience = "https://second-api.fnguard.test"
	testSkew       = time.Minute
)

const (
	discoveryPath = "/.well-known/openid-configuration"
	jwksPath      = "/.well-known/jwks.json"
)

// issuerKey is a committed key so that the fuzz corpus can hold tokens it
// signed; the other keys are made once per test binary.
var (
	issuerKey = sync.OnceValue(func() *rsa.PrivateKey {
		data, err := os.ReadFile("testdata/issuer-key.pem")
		if err != nil {
			panic(err)
		}
		block, _ := pem.Decode(data)
		if block == nil {
			panic("testdata/issuer-key.pem: no PEM block")
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			panic(err)
		}
		return k.(*rsa.PrivateKey)
	})
	attackerKey = sync.OnceValue(func() *rsa.PrivateKey { return newRSAKey(2048) })
	rotatedKey  = sync.OnceValue(func() *rsa.PrivateKey { return newRSAKey(2048) })
	weakKey     = sync.OnceValue(func() *rsa.PrivateKey { return newRSAKey(1024) })
)

func newRSAKey(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

// testIssuer is a devissuer served over real HTTP on loopback, whose
// responses a test can replace to simulate a faulty or rotating issuer.
type testIssuer struct {
	*devissuer.Issuer
	srv *httptest.Server

	discoveryHits atomic.Int64
	jwksHits      atomic.Int64
	// offLoopback counts requests the KeySet tried to send to any other
	// host; the test transport refuses them, so tests never leave loopback.
	offLoopback atomic.Int64

	mu        sync.Mutex
	fault     http.HandlerFunc  // answers every request when set
	published []jose.JSONWebKey // JWKS served instead of the issuer's own
	discovery map[string]any    // discovery document served instead
}

func newTestIssuer(tb testing.TB) *testIssuer {
	tb.Helper()
	ti := &testIssuer{}
	ti.srv = httptest.NewServer(http.HandlerFunc(ti.serveHTTP))
	tb.Cleanup(ti.srv.Close)
	ti.Issuer = devissuer.New(ti.srv.URL+"/", issuerKey(), testAudience, DefaultRolesClaim)
	return ti
}

func (ti *testIssuer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case discoveryPath:
		ti.discoveryHits.Add(1)
	case jwksPath:
		ti.jwksHits.Add(1)
	}
	ti.mu.Lock()
	fault := ti.fault
	ti.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	ti.respond(w, r)
}

// respond answers as the issuer does when no fault is set.
func (ti *testIssuer) respond(w http.ResponseWriter, r *http.Request) {
	ti.mu.Lock()
	published, discovery := ti.published, ti.discovery
	ti.mu.Unlock()
	switch {
	case r.URL.Path == jwksPath && published != nil:
		writeTestJSON(w, jose.JSONWebKeySet{Keys: published})
	case r.URL.Path == discoveryPath && discovery != nil:
		writeTestJSON(w, discovery)
	default:
		ti.Handler().ServeHTTP(w, r)
	}
}

func writeTestJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// setFault makes h answer every request until it is called with nil.
func (ti *testIssuer) setFault(h http.HandlerFunc) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.fault = h
}

// onPath is a fault that answers requests for path with h and lets the
// issuer answer the others.
func (ti *testIssuer) onPath(path string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			h(w, r)
			return
		}
		ti.respond(w, r)
	}
}

// publish makes the JWKS list exactly keys.
func (ti *testIssuer) publish(keys ...jose.JSONWebKey) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.published = keys
}

func (ti *testIssuer) setDiscovery(doc map[string]any) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.discovery = doc
}

// publicJWK is key's public half as an issuer publishes it.
func publicJWK(key *rsa.PrivateKey, kid string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}
}

// client is an HTTP client that reaches the test server and nothing else.
func (ti *testIssuer) client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: loopbackOnly{next: ti.srv.Client().Transport, refused: &ti.offLoopback}}
}

type loopbackOnly struct {
	next    http.RoundTripper
	refused *atomic.Int64
}

func (l loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if !issuerurl.IsLoopbackHost(r.URL.Hostname()) {
		l.refused.Add(1)
		return nil, errors.New("test transport: only loopback hosts may be reached")
	}
	return l.next.RoundTrip(r)
}

// keySet returns a KeySet for ti in discovery mode, with a fake clock so
// tests step over the refresh interval instead of sleeping through it.
func (ti *testIssuer) keySet(tb testing.TB, opts ...KeySetOption) (*KeySet, *fakeClock) {
	tb.Helper()
	clock := newFakeClock()
	base := []KeySetOption{
		WithHTTPClient(ti.client(5 * time.Second)),
		WithMinRefreshInterval(time.Minute),
		WithClock(clock.Now),
	}
	return NewKeySet(ti.URL, append(base, opts...)...), clock
}

// verifier returns a Verifier for ti's tokens that accepts two audiences.
func (ti *testIssuer) verifier(tb testing.TB, keys KeyResolver) *Verifier {
	tb.Helper()
	v, err := NewVerifier(Config{Issuer: ti.URL, Audiences: []string{testAudience, secondAudience}, ClockSkew: testSkew}, keys)
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// claims returns the claims of a fresh token for persona, for a test to edit.
func (ti *testIssuer) claims(tb testing.TB, persona string) map[string]any {
	tb.Helper()
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		tb.Fatal(err)
	}
	return ti.Claims(p, 10*time.Minute)
}

// header is the header the issuer itself would write.
func (ti *testIssuer) header() map[string]any {
	return map[string]any{"alg": "RS256", "typ": "JWT", "kid": ti.KeyID()}
}

// mint signs a token for persona with the issuer's key.
func (ti *testIssuer) mint(tb testing.TB, persona string) string {
	tb.Helper()
	return ti.signClaims(tb, ti.claims(tb, persona))
}

func (ti *testIssuer) signClaims(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	return forge(tb, issuerKey(), ti.header(), claims)
}

// forge signs claims under header with key (RS256, whatever header says).
func forge(tb testing.TB, key *rsa.PrivateKey, header, claims map[string]any) string {
	tb.Helper()
	tok, err := jwssign.Sign(key, header, claims)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// signRaw signs exactly the header and payload bytes given with alg, for
// tokens json.Marshal cannot produce (duplicate members, non-JSON payloads).
// key is an *rsa.PrivateKey for RS and PS algorithms, a []byte for HS.
func signRaw(tb testing.TB, alg string, key any, header, payload []byte) string {
	tb.Helper()
	input := b64(header) + "." + b64(payload)
	var sig []byte
	var err error
	switch alg {
	case "RS256":
		sum := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, sum[:])
	case "RS384":
		sum := sha512.Sum384([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA384, sum[:])
	case "PS256":
		sum := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, sum[:], nil)
	case "HS256":
		mac := hmac.New(sha256.New, key.([]byte))
		mac.Write([]byte(input))
		sig = mac.Sum(nil)
	default:
		tb.Fatalf("signRaw: unsupported alg %s", alg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + b64(sig)
}

// trapServer stands for an attacker's URL in jku or x5u headers: a
// verifier that honours them would fetch it.
type trapServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newTrapServer(tb testing.TB) *trapServer {
	tb.Helper()
	ts := &trapServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hits.Add(1)
		http.NotFound(w, r)
	}))
	tb.Cleanup(ts.Close)
	return ts
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fakeClock is the KeySet's and the token cache's clock in tests, moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// staticKeys resolves kids from a fixed map, without any network.
type staticKeys map[string]crypto.PublicKey

func (s staticKeys) Key(_ context.Context, kid, _ string) (crypto.PublicKey, error) {
	if k, ok := s[kid]; ok {
		return k, nil
	}
	return nil, &Error{Err: ErrInvalidToken, Reason: "unknown key id", KeyID: kid}
}

// sentinel names the sentinel err wraps, for failure messages.
func sentinel(err error) string {
	for _, s := range []error{ErrTokenExpired, ErrInvalidToken, ErrNoToken, ErrForbidden, ErrUnavailable} {
		if errors.Is(err, s) {
			return fmt.Sprintf("%q", s.Error())
		}
	}
	return "no sentinel"
}

// gate holds the requests it wraps until it is opened, and tells the test
// each time one arrives: tests synchronize on it instead of sleeping.
type gate struct {
	open    chan struct{}
	arrived chan struct{}
	once    sync.Once
}

func newGate(tb testing.TB) *gate {
	g := &gate{open: make(chan struct{}), arrived: make(chan struct{}, 128)}
	// Registered after the server's Close, so it runs first: a failed
	// test must not leave Close waiting on a held request.
	tb.Cleanup(g.release)
	return g
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

func (g *gate) hold(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case g.arrived <- struct{}{}:
		default:
		}
		select {
		case <-g.open:
			next(w, r)
		case <-r.Context().Done():
		}
	}
}

// await fails the test instead of hanging when ch stays silent.
func await[T any](tb testing.TB, ch <-chan T, what string) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		tb.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
