package securitytest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/jwssign"
)

// Behaviour is how an Issuer answers discovery and JWKS requests.
type Behaviour int32

const (
	// Healthy serves discovery and the published keys.
	Healthy Behaviour = iota
	// Down cuts every connection before answering, as a dead host or a
	// failed load balancer does.
	Down
	// Slow never answers: requests hang until the client gives up.
	Slow
	// Failing answers 500.
	Failing
	// Garbage answers 200 with a body that is not JSON.
	Garbage
)

func (b Behaviour) String() string {
	return [...]string{"healthy", "down", "slow", "failing", "garbage"}[b]
}

// Issuer is an OpenID issuer on loopback, built on devissuer, whose
// behaviour a test switches while a service depends on it: it goes down,
// hangs, fails, answers garbage, and rotates or revokes signing keys. It
// counts every request it receives, so tests can bound how hard the
// service leans on it.
type Issuer struct {
	URL        string // issuer URL, ending in "/", used verbatim as iss
	Audience   string
	RolesClaim string

	srv  *httptest.Server
	stop chan struct{} // closed at cleanup: releases Slow requests

	behaviour     atomic.Int32
	discoveryHits atomic.Int64
	jwksHits      atomic.Int64

	mu        sync.Mutex
	signer    *devissuer.Issuer    // signs with the current key
	published []*rsa.PrivateKey    // keys in the JWKS, current last
	served    map[string]time.Time // kid -> when a JWKS holding it was first served
}

// NewIssuer starts a healthy Issuer with one fresh 2048-bit key. It is
// closed when tb ends.
func NewIssuer(tb testing.TB, audience, rolesClaim string) *Issuer {
	tb.Helper()
	iss := &Issuer{Audience: audience, RolesClaim: rolesClaim, stop: make(chan struct{}), served: map[string]time.Time{}}
	iss.srv = httptest.NewServer(http.HandlerFunc(iss.serveHTTP))
	tb.Cleanup(func() {
		close(iss.stop)
		iss.srv.Close()
	})
	iss.URL = iss.srv.URL + "/"
	iss.use(NewKey(tb), false)
	return iss
}

// NewKey returns a fresh 2048-bit RSA key.
func NewKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// Set switches how the issuer answers from now on.
func (iss *Issuer) Set(b Behaviour) { iss.behaviour.Store(int32(b)) }

// Rotate publishes a new key next to the current ones and signs with it
// from now on, as Auth0 does during a rotation. It returns the new kid.
func (iss *Issuer) Rotate(tb testing.TB) string {
	tb.Helper()
	return iss.use(NewKey(tb), false)
}

// RotateTo is Rotate with a key made beforehand: generating one takes long
// enough to upset a test's timeline.
func (iss *Issuer) RotateTo(key *rsa.PrivateKey) string { return iss.use(key, false) }

// Replace publishes only a new key, revoking every earlier one (the
// response to a leaked key), and signs with it. It returns the new kid.
func (iss *Issuer) Replace(tb testing.TB) string {
	tb.Helper()
	return iss.use(NewKey(tb), true)
}

func (iss *Issuer) use(key *rsa.PrivateKey, revokeOthers bool) string {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	if revokeOthers {
		iss.published = nil
	}
	iss.published = append(iss.published, key)
	iss.signer = devissuer.New(iss.URL, key, iss.Audience, iss.RolesClaim)
	return iss.signer.KeyID()
}

// Signer returns the devissuer holding the current signing key.
func (iss *Issuer) Signer() *devissuer.Issuer {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.signer
}

// Token mints an access token for the persona called name (free, paid or
// admin) with the current key, valid for ttl (negative: already expired).
func (iss *Issuer) Token(tb testing.TB, name string, ttl time.Duration) string {
	tb.Helper()
	p, err := devissuer.LookupPersona(name)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := iss.Signer().Mint(p, ttl)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Claims returns the claims of a valid token for the persona called name,
// for tests that alter them before signing.
func (iss *Issuer) Claims(tb testing.TB, name string, ttl time.Duration) map[string]any {
	tb.Helper()
	p, err := devissuer.LookupPersona(name)
	if err != nil {
		tb.Fatal(err)
	}
	return iss.Signer().Claims(p, ttl)
}

// Sign signs claims with the current key under header (alg RS256 and the
// current kid unless header says otherwise; a nil value removes a member).
func (iss *Issuer) Sign(tb testing.TB, header, claims map[string]any) string {
	tb.Helper()
	s := iss.Signer()
	h := map[string]any{"alg": "RS256", "typ": "JWT", "kid": s.KeyID()}
	for k, v := range header {
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	tok, err := jwssign.Sign(s.Key(), h, claims)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Hits reports how many discovery and JWKS requests the issuer received.
func (iss *Issuer) Hits() (discovery, jwks int64) {
	return iss.discoveryHits.Load(), iss.jwksHits.Load()
}

// FirstServed reports when a JWKS holding kid was first served, and
// whether it ever was.
func (iss *Issuer) FirstServed(kid string) (time.Time, bool) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	t, ok := iss.served[kid]
	return t, ok
}

func (iss *Issuer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		iss.discoveryHits.Add(1)
	case "/.well-known/jwks.json":
		iss.jwksHits.Add(1)
	default:
		http.NotFound(w, r)
		return
	}
	switch Behaviour(iss.behaviour.Load()) {
	case Down:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case Slow:
		select {
		case <-r.Context().Done():
		case <-iss.stop:
		}
		return
	case Failing:
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
		return
	case Garbage:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("<html>{\"keys\": [oops"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/.well-known/openid-configuration" {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss.URL, "jwks_uri": iss.URL + ".well-known/jwks.json"})
		return
	}
	iss.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range iss.published {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: devissuer.KeyID(&k.PublicKey), Algorithm: "RS256", Use: "sig"})
	}
	iss.mu.Unlock()
	body, _ := json.Marshal(set)
	_, _ = w.Write(body)
	// When a key first went out: how long a rotation took to reach the
	// service (which may still drop this answer, if it gave up waiting).
	now := time.Now()
	iss.mu.Lock()
	for _, k := range set.Keys {
		if _, ok := iss.served[k.KeyID]; !ok {
			iss.served[k.KeyID] = now
		}
	}
	iss.mu.Unlock()
}
