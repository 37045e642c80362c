package auth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
)

const rs256 = "RS256"

func TestColdStartWithIssuerDownIsUnavailable(t *testing.T) {
	ti := newTestIssuer(t)
	ks, _ := ti.keySet(t)
	v := ti.verifier(t, ks)
	token := ti.mint(t, "admin")
	ti.srv.Close()

	p, err := v.Verify(context.Background(), token)
	if p != nil || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Verify = %v, %v; want ErrUnavailable", p, err)
	}
	d := Describe(err)
	if d.Status != http.StatusServiceUnavailable || d.Code != "temporarily_unavailable" || d.Challenge != "" {
		t.Errorf("Describe = %d %q %q, want 503 temporarily_unavailable without a challenge", d.Status, d.Code, d.Challenge)
	}
	if got := d.Headers()["Retry-After"]; got == "" {
		t.Error("503 without Retry-After")
	}
}

func TestJWKSFaultsAreErrorsAndNeverCached(t *testing.T) {
	huge := `{"keys":[` + strings.Repeat(`{"kty":"oct","k":"AAAA"},`, 1<<16) + `{}]}`
	respond := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}
	}
	tests := []struct {
		name  string
		path  string
		fault http.HandlerFunc
	}{
		{"JWKS answering 500 is an error", jwksPath, respond(500, `{"keys":[]}`)},
		{"JWKS answering 404 is an error", jwksPath, respond(404, "not found")},
		{"JWKS answering 200 with garbage is an error", jwksPath, respond(200, "<html>maintenance</html>")},
		{"JWKS answering 200 with truncated JSON is an error", jwksPath, respond(200, `{"keys":[{"kty":"RSA"`)},
		{"JWKS with an empty keys list is an error", jwksPath, respond(200, `{"keys":[]}`)},
		{"JWKS without a keys member is an error", jwksPath, respond(200, `{}`)},
		{"JWKS whose keys are all unreadable is an error", jwksPath, respond(200, `{"keys":[{"kty":"RSA","kid":"x"},{"kty":"EC"}]}`)},
		{"JWKS larger than 1 MiB is an error", jwksPath, respond(200, huge)},
		{"JWKS slower than the client timeout is an error", jwksPath, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"discovery answering 500 is an error", discoveryPath, respond(500, "")},
		{"discovery answering garbage is an error", discoveryPath, respond(200, "issuer=me")},
		{"discovery slower than the client timeout is an error", discoveryPath, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := newTestIssuer(t)
			// A short timeout for the fault, a generous one for the
			// recovery, which must not fail because the machine is busy.
			client := ti.client(250 * time.Millisecond)
			ks, clock := ti.keySet(t, WithHTTPClient(client))
			ti.setFault(ti.onPath(tc.path, tc.fault))

			if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Key during the fault = %v, want ErrUnavailable", err)
			}
			ks.mu.RLock()
			cached, loaded := len(ks.keys), !ks.loadedAt.IsZero()
			ks.mu.RUnlock()
			if cached != 0 || loaded {
				t.Fatalf("the faulty response was cached: %d keys, loaded %v", cached, loaded)
			}

			ti.setFault(nil)
			client.Timeout = 5 * time.Second
			clock.Advance(time.Minute)
			if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
				t.Fatalf("Key after the issuer recovered = %v", err)
			}
			if got := ks.Fetches(); got != 2 {
				t.Errorf("Fetches() = %d, want 2 (the failed one and the good one)", got)
			}
		})
	}
}

func TestKnownKeysSurviveAnIssuerOutage(t *testing.T) {
	ti := newTestIssuer(t)
	ks, clock := ti.keySet(t)
	v := ti.verifier(t, ks)
	if _, err := v.Verify(context.Background(), ti.mint(t, "paid")); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	ti.srv.Close()
	// Past the max key age too, so the background refresh fails as well.
	clock.Advance(time.Hour)

	for i := range 3 {
		if _, err := v.Verify(context.Background(), ti.mint(t, "admin")); err != nil {
			t.Fatalf("known key during the outage, attempt %d: %v", i, err)
		}
	}
	stranger := forge(t, rotatedKey(), map[string]any{"alg": rs256, "kid": "new-key"}, ti.claims(t, "admin"))
	_, err := v.Verify(context.Background(), stranger)
	if !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("unknown kid during the outage = %v, want ErrInvalidToken (fail closed, keys are loaded)", err)
	}
	if d := Describe(err); d.Status != http.StatusUnauthorized {
		t.Errorf("unknown kid during the outage is %d, want 401", d.Status)
	}
}

func TestRotatedKeyIsAcceptedOnFirstSight(t *testing.T) {
	ti := newTestIssuer(t)
	old := publicJWK(issuerKey(), ti.KeyID())
	ti.publish(old)
	ks, clock := ti.keySet(t)
	v := ti.verifier(t, ks)
	if _, err := v.Verify(context.Background(), ti.mint(t, "free")); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	clock.Advance(time.Minute)
	ti.publish(old, publicJWK(rotatedKey(), "rotated-1"))

	token := forge(t, rotatedKey(), map[string]any{"alg": rs256, "typ": "JWT", "kid": "rotated-1"}, ti.claims(t, "admin"))
	p, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("token signed with the rotated key: %v", err)
	}
	if p.KeyID != "rotated-1" {
		t.Errorf("KeyID = %q", p.KeyID)
	}
	if f, h := ks.Fetches(), ti.jwksHits.Load(); f != 2 || h != 2 {
		t.Errorf("Fetches() = %d, JWKS hits = %d; want 2 each (warm-up plus one refresh)", f, h)
	}
	if h := ti.discoveryHits.Load(); h != 1 {
		t.Errorf("discovery fetched %d times, want once", h)
	}
	// The old key still verifies: rotation publishes both for a while.
	if _, err := v.Verify(context.Background(), ti.mint(t, "free")); err != nil {
		t.Errorf("old key after rotation: %v", err)
	}
}

func TestFloodOfUnknownKidsCostsOneFetch(t *testing.T) {
	ti := newTestIssuer(t)
	ks, clock := ti.keySet(t)
	v := ti.verifier(t, ks)
	if _, err := v.Verify(context.Background(), ti.mint(t, "free")); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	clock.Advance(time.Minute)
	fetches, hits := ks.Fetches(), ti.jwksHits.Load()

	const n = 200
	for i := range n {
		token := forge(t, attackerKey(), map[string]any{"alg": rs256, "kid": fmt.Sprintf("random-%d", i)}, ti.claims(t, "admin"))
		if _, err := v.Verify(context.Background(), token); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("token %d with a random kid: %v", i, err)
		}
	}
	if f, h := ks.Fetches()-fetches, ti.jwksHits.Load()-hits; f != 1 || h != 1 {
		t.Errorf("%d random kids caused %d fetches and %d JWKS hits, want 1", n, f, h)
	}
}

func TestConcurrentUnknownKidsShareOneFetch(t *testing.T) {
	ti := newTestIssuer(t)
	ti.publish(publicJWK(issuerKey(), ti.KeyID()), publicJWK(rotatedKey(), "rotated-1"))
	g := newGate(t)
	ti.setFault(ti.onPath(jwksPath, g.hold(ti.respond)))
	ks, _ := ti.keySet(t)

	const n = 16
	var started, done sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			_, errs[i] = ks.Key(context.Background(), "rotated-1", rs256)
		}()
	}
	started.Wait()
	await(t, g.arrived, "the first JWKS request")
	g.release()
	done.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v (it should have waited for the fetch in flight)", i, err)
		}
	}
	if f, h := ks.Fetches(), ti.jwksHits.Load(); f != 1 || h != 1 {
		t.Errorf("%d concurrent callers caused %d fetches and %d JWKS hits, want 1", n, f, h)
	}
}

func TestRemovedKeyFiresOnChange(t *testing.T) {
	ti := newTestIssuer(t)
	current := publicJWK(issuerKey(), ti.KeyID())
	ti.publish(current, publicJWK(rotatedKey(), "revoked-1"))
	ks, clock := ti.keySet(t)
	removed := make(chan []string, 4)
	ks.OnChange(func(kids []string) { removed <- kids })
	if _, err := ks.Key(context.Background(), "revoked-1", rs256); err != nil {
		t.Fatalf("warm-up: %v", err)
	}

	// A refresh that removes nothing must not fire; the next one removes.
	clock.Advance(time.Minute)
	if _, err := ks.Key(context.Background(), "unknown-1", rs256); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unknown kid: %v", err)
	}
	ti.publish(current)
	clock.Advance(time.Minute)
	if _, err := ks.Key(context.Background(), "unknown-2", rs256); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unknown kid: %v", err)
	}
	if _, err := ks.Key(context.Background(), "revoked-1", rs256); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("revoked kid after refresh = %v, want ErrInvalidToken", err)
	}
	if got := await(t, removed, "OnChange"); !slices.Equal(got, []string{"revoked-1"}) {
		t.Errorf("OnChange got %v, want [revoked-1] (and nothing for the refresh that removed nothing)", got)
	}
	if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
		t.Errorf("remaining key: %v", err)
	}
}

func TestCallerDeadlineBoundsTheWaitNotTheFetch(t *testing.T) {
	ti := newTestIssuer(t)
	g := newGate(t)
	ti.setFault(ti.onPath(jwksPath, g.hold(ti.respond)))
	ks, _ := ti.keySet(t)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The JWKS request is held until after Key returns: returning at all
	// proves the caller's deadline, not the fetch, bounded the wait.
	_, err := ks.Key(ctx, ti.KeyID(), rs256)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Key with an expired deadline = %v, want ErrUnavailable", err)
	}
	await(t, g.arrived, "the JWKS request")
	g.release()

	// The fetch was not abandoned with the impatient caller: the next one
	// gets its result without a second request.
	if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
		t.Fatalf("Key after the slow fetch finished: %v", err)
	}
	if f, h := ks.Fetches(), ti.jwksHits.Load(); f != 1 || h != 1 {
		t.Errorf("Fetches() = %d, JWKS hits = %d; want 1", f, h)
	}
}

// staleKeysHeldAtIssuer returns a KeySet whose keys are past their max
// age, after a lookup that started a background refresh which the issuer
// now holds at g (release it with g's release). That lookup returned the
// stale but known key without waiting.
func staleKeysHeldAtIssuer(t *testing.T) (*testIssuer, *KeySet, *gate) {
	t.Helper()
	ti := newTestIssuer(t)
	ks, clock := ti.keySet(t, WithMaxKeyAge(10*time.Minute))
	if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	g := newGate(t)
	ti.setFault(ti.onPath(jwksPath, g.hold(ti.respond)))
	clock.Advance(11 * time.Minute)
	if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
		t.Fatalf("stale but known key: %v", err)
	}
	await(t, g.arrived, "the background JWKS request")
	return ti, ks, g
}

func TestStaleKeysRefreshInTheBackground(t *testing.T) {
	// Key returns while the refresh it started is held at the issuer.
	ti, _, _ := staleKeysHeldAtIssuer(t)
	if h := ti.jwksHits.Load(); h != 2 {
		t.Errorf("JWKS hits = %d, want 2", h)
	}
}

func TestDiscoveryThatCouldPointElsewhereIsRefused(t *testing.T) {
	tests := []struct {
		name string
		doc  func(ti *testIssuer) map[string]any
	}{
		{"discovery naming another issuer is refused", func(ti *testIssuer) map[string]any {
			return map[string]any{"issuer": "https://evil.example/", "jwks_uri": ti.URL + ".well-known/jwks.json"}
		}},
		{"discovery naming the issuer without its trailing slash is refused", func(ti *testIssuer) map[string]any {
			return map[string]any{"issuer": strings.TrimSuffix(ti.URL, "/"), "jwks_uri": ti.URL + ".well-known/jwks.json"}
		}},
		{"http jwks_uri on a non-loopback host is refused", func(ti *testIssuer) map[string]any {
			return map[string]any{"issuer": ti.URL, "jwks_uri": "http://jwks.example.com/.well-known/jwks.json"}
		}},
		{"file jwks_uri is refused", func(ti *testIssuer) map[string]any {
			return map[string]any{"issuer": ti.URL, "jwks_uri": "file:///etc/passwd"}
		}},
		{"relative jwks_uri is refused", func(ti *testIssuer) map[string]any {
			return map[string]any{"issuer": ti.URL, "jwks_uri": "/.well-known/jwks.json"}
		}},
		{"missing jwks_uri is refused", func(ti *testIssuer) map[string]any {
			return map[string]any{"issuer": ti.URL}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := newTestIssuer(t)
			ti.setDiscovery(tc.doc(ti))
			ks, _ := ti.keySet(t)
			if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Key = %v, want ErrUnavailable", err)
			}
			if h, o := ti.jwksHits.Load(), ti.offLoopback.Load(); h != 0 || o != 0 {
				t.Errorf("a refused jwks_uri was fetched: %d local hits, %d attempts off loopback", h, o)
			}
		})
	}
}

func TestUnfitKeysAreIgnored(t *testing.T) {
	tests := []struct {
		name   string
		signer *rsa.PrivateKey
		jwk    jose.JSONWebKey
		ok     bool
	}{
		{"a well-formed second key is used", rotatedKey(),
			jose.JSONWebKey{Key: &rotatedKey().PublicKey, KeyID: "second", Algorithm: rs256, Use: "sig"}, true},
		{"a key without alg or use is used with the configured algorithm", rotatedKey(),
			jose.JSONWebKey{Key: &rotatedKey().PublicKey, KeyID: "second"}, true},
		{"a key published for RS512 is ignored", rotatedKey(),
			jose.JSONWebKey{Key: &rotatedKey().PublicKey, KeyID: "second", Algorithm: "RS512", Use: "sig"}, false},
		{"a key published for PS256 is ignored", rotatedKey(),
			jose.JSONWebKey{Key: &rotatedKey().PublicKey, KeyID: "second", Algorithm: "PS256"}, false},
		{`a key with "use":"enc" is ignored`, rotatedKey(),
			jose.JSONWebKey{Key: &rotatedKey().PublicKey, KeyID: "second", Algorithm: rs256, Use: "enc"}, false},
		{"an RSA key shorter than 2048 bits is ignored", weakKey(),
			jose.JSONWebKey{Key: &weakKey().PublicKey, KeyID: "second", Algorithm: rs256, Use: "sig"}, false},
		{"a published private key is ignored", rotatedKey(),
			jose.JSONWebKey{Key: rotatedKey(), KeyID: "second", Algorithm: rs256, Use: "sig"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := newTestIssuer(t)
			ti.publish(publicJWK(issuerKey(), ti.KeyID()), tc.jwk)
			ks, _ := ti.keySet(t)
			v := ti.verifier(t, ks)

			token := forge(t, tc.signer, map[string]any{"alg": rs256, "kid": "second"}, ti.claims(t, "admin"))
			_, err := v.Verify(context.Background(), token)
			switch {
			case tc.ok && err != nil:
				t.Fatalf("token signed with the second key: %v", err)
			case !tc.ok && !errors.Is(err, ErrInvalidToken):
				t.Fatalf("token signed with the unfit key = %v, want ErrInvalidToken", err)
			}
			// The issuer's own key is unaffected by its unfit neighbour.
			if _, err := v.Verify(context.Background(), ti.mint(t, "admin")); err != nil {
				t.Errorf("token signed with the issuer key: %v", err)
			}
		})
	}
}

func TestWithJWKSURLSkipsDiscovery(t *testing.T) {
	ti := newTestIssuer(t)
	ks, _ := ti.keySet(t, WithJWKSURL(ti.URL+".well-known/jwks.json"))
	if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
		t.Fatal(err)
	}
	if d, j := ti.discoveryHits.Load(), ti.jwksHits.Load(); d != 0 || j != 1 {
		t.Errorf("discovery hits %d, JWKS hits %d; want 0 and 1", d, j)
	}
}

// rewriteHost sends every request to target, whatever host it names, so a
// test can follow a redirect to a non-loopback http URL without a network.
type rewriteHost struct{ target *url.URL }

func (rh rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = rh.target.Scheme, rh.target.Host
	resp, err := http.DefaultTransport.RoundTrip(out)
	if resp != nil {
		resp.Request = r // as a real network would: the URL the client asked for
	}
	return resp, err
}

func TestRedirectOffHTTPSIsRefused(t *testing.T) {
	ti := newTestIssuer(t)
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/jwks.json" {
			// Reached only if the redirect were followed.
			served.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{publicJWK(ti.Key(), ti.KeyID())}})
			return
		}
		http.Redirect(w, r, "http://keys.example.test/jwks.json", http.StatusFound)
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	ks := NewKeySet(ti.URL, WithJWKSURL(srv.URL+"/start"),
		WithHTTPClient(&http.Client{Timeout: 5 * time.Second, Transport: rewriteHost{target}}))
	_, err := ks.Key(context.Background(), ti.KeyID(), rs256)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("err = %v, want ErrUnavailable naming the plain-http redirect", err)
	}
	if served.Load() != 0 {
		// The hop is checked before it is followed: nothing is asked of
		// a plain-http host off loopback.
		t.Fatalf("plain-http redirect target requested %d times", served.Load())
	}
}
