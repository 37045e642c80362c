package auth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/internal/jwssign"
)

const cacheAudience = "https://api.cache.test"

// Two signing keys, so a test can take one out of the JWKS.
var cacheKeys = sync.OnceValue(func() map[string]*rsa.PrivateKey {
	keys := map[string]*rsa.PrivateKey{}
	for _, kid := range []string{"key-a", "key-b"} {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[kid] = k
	}
	return keys
})

// cacheIssuer serves discovery and a JWKS on loopback; publish changes the
// keys it lists.
type cacheIssuer struct {
	url string
	mu  sync.Mutex
	jwk []jose.JSONWebKey
}

func newCacheIssuer(t testing.TB) *cacheIssuer {
	t.Helper()
	ci := &cacheIssuer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": ci.url, "jwks_uri": ci.url + "jwks.json"})
		case "/jwks.json":
			ci.mu.Lock()
			defer ci.mu.Unlock()
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: ci.jwk})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ci.url = srv.URL + "/"
	ci.publish("key-a", "key-b")
	return ci
}

func (ci *cacheIssuer) publish(kids ...string) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	ci.jwk = nil
	for _, kid := range kids {
		ci.jwk = append(ci.jwk, jose.JSONWebKey{Key: &cacheKeys()[kid].PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
	}
}

// token signs a token for sub with key kid; edit changes its claims.
func (ci *cacheIssuer) token(t testing.TB, kid, sub string, edit func(map[string]any)) string {
	t.Helper()
	now := time.Now()
	claims := map[string]any{
		"iss": ci.url, "sub": sub, "aud": []string{cacheAudience},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		DefaultRolesClaim: []string{"paid"},
	}
	if edit != nil {
		edit(claims)
	}
	signer := cacheKeys()[kid]
	if signer == nil {
		signer = cacheKeys()["key-a"]
	}
	tok, err := jwssign.Sign(signer, map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// keySet fetches ci's keys, refreshing as often as asked.
func (ci *cacheIssuer) keySet() *KeySet { return NewKeySet(ci.url, WithMinRefreshInterval(0)) }

func newCachedVerifier(t testing.TB, cfg Config, keys KeyResolver) *Verifier {
	t.Helper()
	if cfg.Audiences == nil {
		cfg.Audiences = []string{cacheAudience}
	}
	v, err := NewVerifier(cfg, keys)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// countingKeys counts key lookups: one lookup is one full verification.
type countingKeys struct {
	KeyResolver
	n atomic.Int64
}

func (c *countingKeys) Key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	c.n.Add(1)
	return c.KeyResolver.Key(ctx, kid, alg)
}

func TestCacheVerifiesEachTokenOnce(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := &countingKeys{KeyResolver: ci.keySet()}
	v := newCachedVerifier(t, Config{Issuer: ci.url}, keys)
	tok := ci.token(t, "key-a", "user|1", nil)

	first, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("first Verify: %v", err)
	}
	for range 4 {
		p, err := v.Verify(context.Background(), tok)
		if err != nil || p != first {
			t.Fatalf("Verify from cache = %p, %v; want the first Principal %p", p, err, first)
		}
	}
	if got := keys.n.Load(); got != 1 {
		t.Errorf("key lookups = %d, want 1", got)
	}
	if got, want := v.CacheStats(), (CacheStats{Hits: 4, Misses: 1, Entries: 1}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

// Requests carrying the same token share one Principal, so what one
// handler appends must not show through another's slice.
func TestCachedPrincipalSlicesDoNotShareSpareCapacity(t *testing.T) {
	ci := newCacheIssuer(t)
	v := newCachedVerifier(t, Config{Issuer: ci.url}, ci.keySet())
	// Three elements: JSON decoding grows a slice to a capacity of four.
	tok := ci.token(t, "key-a", "user|1", func(c map[string]any) {
		c[DefaultRolesClaim] = []string{"paid", "beta", "early"}
		c["permissions"] = []string{"read:profile", "read:premium", "write:notes"}
		c["scope"] = "openid profile email"
	})
	p, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	for name, list := range map[string][]string{"roles": p.Roles, "permissions": p.Permissions, "scopes": p.Scopes} {
		first := append(list, "granted-by-handler-1")
		second := append(list, "granted-by-handler-2")
		if first[len(list)] != "granted-by-handler-1" || second[len(list)] != "granted-by-handler-2" {
			t.Errorf("%s: appends by two handlers share memory: %q and %q", name, first, second)
		}
	}
	again, err := v.Verify(context.Background(), tok)
	if err != nil || again != p || !slices.Equal(again.Roles, []string{"paid", "beta", "early"}) {
		t.Errorf("cached Principal after the appends: %+v, %v", again, err)
	}
}

func TestCacheOffVerifiesEveryTime(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := &countingKeys{KeyResolver: ci.keySet()}
	v := newCachedVerifier(t, Config{Issuer: ci.url, CacheSize: -1}, keys)
	tok := ci.token(t, "key-a", "user|1", nil)
	for range 3 {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if got := keys.n.Load(); got != 3 {
		t.Errorf("key lookups = %d, want 3", got)
	}
	if got := v.CacheStats(); got != (CacheStats{}) {
		t.Errorf("stats = %+v, want zero", got)
	}
}

func TestCacheNeverStoresARefusedToken(t *testing.T) {
	ci := newCacheIssuer(t)
	tests := []struct {
		name  string
		token func(t *testing.T) string
		want  error
	}{
		{"token signed by another key than its kid names is invalid", func(t *testing.T) string {
			tok, err := jwssign.Sign(cacheKeys()["key-b"], map[string]any{"alg": "RS256", "kid": "key-a"},
				map[string]any{"iss": ci.url, "sub": "user|1", "aud": cacheAudience, "exp": time.Now().Add(time.Hour).Unix()})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, ErrInvalidToken},
		{"token for another audience is invalid", func(t *testing.T) string {
			return ci.token(t, "key-a", "user|1", func(c map[string]any) { c["aud"] = "https://other.test" })
		}, ErrInvalidToken},
		{"token of another issuer is invalid", func(t *testing.T) string {
			return ci.token(t, "key-a", "user|1", func(c map[string]any) { c["iss"] = "https://evil.test/" })
		}, ErrInvalidToken},
		{"expired token is expired", func(t *testing.T) string {
			return ci.token(t, "key-a", "user|1", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
		}, ErrTokenExpired},
		{"token without exp is invalid", func(t *testing.T) string {
			return ci.token(t, "key-a", "user|1", func(c map[string]any) { delete(c, "exp") })
		}, ErrInvalidToken},
		{"token with an unknown kid is invalid", func(t *testing.T) string {
			return ci.token(t, "key-z", "user|1", nil)
		}, ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := &countingKeys{KeyResolver: ci.keySet()}
			v := newCachedVerifier(t, Config{Issuer: ci.url}, keys)
			tok := tt.token(t)
			for i := range 2 {
				p, err := v.Verify(context.Background(), tok)
				if !errors.Is(err, tt.want) || p != nil {
					t.Fatalf("Verify #%d = %v, %v; want %v", i+1, p, err, tt.want)
				}
			}
			if got := keys.n.Load(); got != 2 {
				t.Errorf("key lookups = %d, want 2 (no shortcut for a refused token)", got)
			}
			if s := v.CacheStats(); s.Entries != 0 || s.Hits != 0 {
				t.Errorf("stats = %+v, want no entry and no hit", s)
			}
		})
	}
}

func TestCacheRefusesExpiredTokenOnAHit(t *testing.T) {
	ci := newCacheIssuer(t)
	exp := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	const skew = 30 * time.Second
	tests := []struct {
		name string
		at   time.Time
		want error
	}{
		{"token before exp is a hit", exp.Add(-time.Second), nil},
		{"token past exp within the skew is a hit", exp.Add(skew), nil},
		{"token past exp and skew is expired", exp.Add(skew + time.Second), ErrTokenExpired},
		{"token long expired is expired", exp.Add(24 * time.Hour), ErrTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := &countingKeys{KeyResolver: ci.keySet()}
			v := newCachedVerifier(t, Config{Issuer: ci.url, ClockSkew: skew, CacheTTL: 48 * time.Hour}, keys)
			// The cache's clock starts at the real time: the first, full
			// verification reads the validator's clock, which is time.Now.
			clock := &fakeClock{t: time.Now()}
			v.cache.now = clock.Now
			tok := ci.token(t, "key-a", "user|1", func(c map[string]any) { c["exp"] = exp.Unix() })
			if _, err := v.Verify(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
			clock.Set(tt.at)
			p, err := v.Verify(context.Background(), tok)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if (p == nil) == (tt.want == nil) {
				t.Errorf("Principal = %v with error %v", p, err)
			}
			if got := keys.n.Load(); got != 1 {
				t.Errorf("key lookups = %d, want 1: the answer must come from the cache", got)
			}
			if d := Describe(err); tt.want != nil && (d.Status != http.StatusUnauthorized || d.Message != "The access token expired.") {
				t.Errorf("Describe = %+v, want a 401 saying the token expired", d)
			}
			if s := v.CacheStats(); tt.want != nil && s.Entries != 0 {
				t.Errorf("expired token still cached: %+v", s)
			}
		})
	}
}

func TestCacheVerifiesAgainAfterItsTTL(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := &countingKeys{KeyResolver: ci.keySet()}
	v := newCachedVerifier(t, Config{Issuer: ci.url, CacheTTL: time.Minute}, keys)
	start := time.Now()
	clock := &fakeClock{t: start}
	v.cache.now = clock.Now
	tok := ci.token(t, "key-a", "user|1", nil)

	for _, step := range []struct {
		at      time.Duration
		lookups int64
	}{{0, 1}, {59 * time.Second, 1}, {time.Minute, 2}, {time.Minute + time.Second, 2}} {
		clock.Set(start.Add(step.at))
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatalf("at +%s: %v", step.at, err)
		}
		if got := keys.n.Load(); got != step.lookups {
			t.Errorf("at +%s: key lookups = %d, want %d", step.at, got, step.lookups)
		}
	}
}

// The cache lives inside one Verifier, built for one issuer and audience
// list: no API lets two verifiers share it, so a token accepted for one
// audience cannot be found by a verifier of another.
func TestCacheBelongsToOneAudience(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := ci.keySet()
	ours := newCachedVerifier(t, Config{Issuer: ci.url}, keys)
	theirs := newCachedVerifier(t, Config{Issuer: ci.url, Audiences: []string{"https://other.test"}}, keys)
	tok := ci.token(t, "key-a", "user|1", nil)

	for i := range 3 {
		if _, err := ours.Verify(context.Background(), tok); err != nil {
			t.Fatalf("our verifier, #%d: %v", i+1, err)
		}
		if _, err := theirs.Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("other audience's verifier, #%d: %v, want %v", i+1, err, ErrInvalidToken)
		}
	}
	if s := theirs.CacheStats(); s.Hits != 0 || s.Entries != 0 {
		t.Errorf("other audience's verifier: %+v, want no hit and no entry", s)
	}
	if s := ours.CacheStats(); s.Hits != 2 {
		t.Errorf("our verifier: %+v, want 2 hits", s)
	}
}

func TestCacheDropsTokensOfKeysRemovedFromTheJWKS(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := ci.keySet()
	v := newCachedVerifier(t, Config{Issuer: ci.url}, keys)
	var removed []string
	keys.OnChange(func(r []string) { removed = r })

	tokA := ci.token(t, "key-a", "user|a", nil)
	tokB := ci.token(t, "key-b", "user|b", nil)
	for _, tok := range []string{tokA, tokB} {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}

	// key-b is revoked; a token with a kid never seen makes the KeySet
	// refresh, which notices before Verify returns.
	ci.publish("key-a")
	if _, err := v.Verify(context.Background(), ci.token(t, "key-new", "user|c", nil)); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of an unknown key: %v, want %v", err, ErrInvalidToken)
	}
	if len(removed) != 1 || removed[0] != "key-b" {
		t.Fatalf("removed = %v, want [key-b]", removed)
	}
	if s := v.CacheStats(); s.Dropped != 1 {
		t.Fatalf("stats = %+v right after the refresh, want key-b's token dropped", s)
	}

	if _, err := v.Verify(context.Background(), tokB); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of the removed key: %v, want %v", err, ErrInvalidToken)
	}
	if p, err := v.Verify(context.Background(), tokA); err != nil || p.Subject != "user|a" {
		t.Errorf("token of the kept key: %v, %v", p, err)
	}
	if s := v.CacheStats(); s.Dropped != 1 || s.Entries != 1 {
		t.Errorf("stats = %+v, want 1 dropped and 1 entry", s)
	}
}

// revokingKeys removes the key it is resolving while it resolves it, as a
// JWKS refresh running beside a verification would.
type revokingKeys struct {
	key   crypto.PublicKey
	hooks []func([]string)
	n     int
}

func (r *revokingKeys) OnChange(f func([]string)) { r.hooks = append(r.hooks, f) }

func (r *revokingKeys) Key(_ context.Context, kid, _ string) (crypto.PublicKey, error) {
	r.n++
	for _, f := range r.hooks {
		f([]string{kid})
	}
	return r.key, nil
}

func TestCacheDoesNotKeepATokenWhoseKeyWasDroppedDuringVerification(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := &revokingKeys{key: &cacheKeys()["key-a"].PublicKey}
	v := newCachedVerifier(t, Config{Issuer: ci.url}, keys)
	tok := ci.token(t, "key-a", "user|1", nil)
	for range 2 {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if keys.n != 2 {
		t.Errorf("key lookups = %d, want 2: a token verified across a drop must not be cached", keys.n)
	}
	if s := v.CacheStats(); s.Entries != 0 {
		t.Errorf("stats = %+v, want no entry", s)
	}
}

func TestCacheSizeIsAHardLimit(t *testing.T) {
	for _, size := range []int{1, 7, 255, 256, 1000, 4099} {
		t.Run(fmt.Sprintf("cache of %d holds at most %d tokens", size, size), func(t *testing.T) {
			c := newTokenCache(size, time.Hour, 0)
			inserted := 5 * size
			for i := range inserted {
				cachePut(c, fmt.Sprint(i), "")
			}
			s := c.stats()
			if s.Entries > int64(size) || s.Entries < int64(size)/2 {
				t.Errorf("entries = %d, want at most %d and not far below", s.Entries, size)
			}
			if s.Evictions != int64(inserted)-s.Entries {
				t.Errorf("evictions = %d, want %d", s.Evictions, int64(inserted)-s.Entries)
			}
		})
	}
}

func TestCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	c := newTokenCache(3, time.Hour, 0)
	for _, tok := range []string{"a", "b", "c"} {
		cachePut(c, tok, "")
	}
	cacheGet(t, c, "a") // b is now the least recently used
	cachePut(c, "d", "")
	for tok, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		s := shardOf(c, tok)
		if _, hit, _ := c.get(s, sha256.Sum256([]byte(tok))); hit != want {
			t.Errorf("%s cached = %v, want %v", tok, hit, want)
		}
	}
}

func TestCacheFloodOfDistinctValidTokensStaysWithinItsLimit(t *testing.T) {
	ci := newCacheIssuer(t)
	const size = 8
	v := newCachedVerifier(t, Config{Issuer: ci.url, CacheSize: size}, ci.keySet())
	const tokens = 40
	for i := range tokens {
		if _, err := v.Verify(context.Background(), ci.token(t, "key-a", fmt.Sprintf("user|%d", i), nil)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := v.CacheStats(), (CacheStats{Misses: tokens, Evictions: tokens - size, Entries: size}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

func TestCacheIsSafeForConcurrentUse(t *testing.T) {
	ci := newCacheIssuer(t)
	keys := ci.keySet()
	v := newCachedVerifier(t, Config{Issuer: ci.url, CacheSize: 4}, keys)
	type want struct {
		sub string
		err error
	}
	cases := map[string]want{}
	for i := range 6 {
		sub := fmt.Sprintf("user|%d", i)
		cases[ci.token(t, []string{"key-a", "key-b"}[i%2], sub, nil)] = want{sub: sub}
	}
	cases[ci.token(t, "key-a", "user|x", func(c map[string]any) { c["aud"] = "https://other.test" })] = want{err: ErrInvalidToken}
	cases[ci.token(t, "key-a", "user|y", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })] = want{err: ErrTokenExpired}
	tokens := make([]string, 0, len(cases))
	for tok := range cases {
		tokens = append(tokens, tok)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if g == 0 && i%20 == 0 {
					v.cache.drop([]string{"key-b"}) // a refresh, as far as the cache knows
				}
				tok := tokens[(g+i)%len(tokens)]
				w := cases[tok]
				p, err := v.Verify(context.Background(), tok)
				switch {
				case w.err != nil && !errors.Is(err, w.err):
					errs <- fmt.Errorf("got %v, want %v", err, w.err)
					return
				case w.err == nil && (err != nil || p.Subject != w.sub):
					errs <- fmt.Errorf("got %v, %v; want %s", p, err, w.sub)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s := v.CacheStats(); s.Entries > 4 || s.Hits+s.Misses != 8*200 {
		t.Errorf("stats = %+v, want at most 4 entries and 1600 lookups", s)
	}
}

func shardOf(c *tokenCache, tok string) *cacheShard {
	key := sha256.Sum256([]byte(tok))
	return &c.shards[int(key[0])%len(c.shards)]
}

// cachePut stores a Principal for tok as a successful verification would.
func cachePut(c *tokenCache, tok, kid string) {
	p := &Principal{Subject: "user|" + tok, KeyID: kid, ExpiresAt: time.Now().Add(time.Hour), Roles: []string{"paid"}}
	c.put(shardOf(c, tok), sha256.Sum256([]byte(tok)), p, c.epoch.Load())
}

func cacheGet(t *testing.T, c *tokenCache, tok string) {
	t.Helper()
	if _, hit, _ := c.get(shardOf(c, tok), sha256.Sum256([]byte(tok))); !hit {
		t.Fatalf("%s not cached", tok)
	}
}

// BenchmarkCacheFlood stores b.N distinct tokens in a cache of
// DefaultCacheSize and reports the live heap afterwards: it stays put
// however large b.N grows.
func BenchmarkCacheFlood(b *testing.B) {
	c := newTokenCache(DefaultCacheSize, time.Hour, 0)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tok := fmt.Sprintf("eyJ.token-%d.sig", i)
		p := &Principal{
			Subject: fmt.Sprintf("auth0|%024d", i), Issuer: "https://tenant.eu.auth0.com/",
			Audience: []string{"https://api.fnguard.dev"}, Roles: []string{"paid"},
			Permissions: []string{"read:profile", "read:premium"}, Scopes: []string{"openid", "profile", "email"},
			ExpiresAt: time.Now().Add(time.Hour), KeyID: "kid-0123456789", TokenID: fmt.Sprint(i),
		}
		c.put(shardOf(c, tok), sha256.Sum256([]byte(tok)), p, 0)
	}
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	s := c.stats()
	b.ReportMetric(float64(s.Entries), "entries")
	b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "heap-MiB")
	runtime.KeepAlive(c)
}

// BenchmarkCacheHit is Verify for a token already verified.
func BenchmarkCacheHit(b *testing.B) {
	ci := newCacheIssuer(b)
	v := newCachedVerifier(b, Config{Issuer: ci.url}, ci.keySet())
	tok := ci.token(b, "key-a", "user|1", nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
