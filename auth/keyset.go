package auth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/internal/issuerurl"
)

// KeySet fetches an issuer's signing keys (its JWKS) and keeps them.
//
// go-jwt-middleware's CachingProvider caches one JWKS per issuer for a TTL.
// KeySet adds what an operator needs on top:
//   - a token whose kid is unknown triggers a refresh at once, so keys the
//     issuer rotates in are picked up on first sight;
//   - refreshes are single-flight and rate-limited (MinRefreshInterval), so
//     a flood of tokens with random kids costs the issuer one request per
//     interval, not one per token;
//   - a failed or malformed fetch never replaces the keys we have: while the
//     issuer is down, known keys keep working and unknown keys fail closed;
//   - every fetch has a timeout, independent of the caller's context.
type KeySet struct {
	issuer  string
	jwksURL string // fixed by option, or discovered once and remembered
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time

	// MinRefreshInterval is the least time between two fetch attempts.
	minInterval time.Duration
	// maxAge is how long keys are used before a background refresh.
	maxAge time.Duration
	// fetchTimeout bounds one refresh (discovery plus JWKS).
	fetchTimeout time.Duration

	mu          sync.RWMutex
	keys        map[string]jose.JSONWebKey
	loadedAt    time.Time
	lastAttempt time.Time
	inflight    *refreshCall
	onChange    []func(removed []string)

	fetches atomic.Int64
}

type refreshCall struct {
	done chan struct{}
	err  error
}

// KeySetOption configures a KeySet.
type KeySetOption func(*KeySet)

// WithJWKSURL skips OIDC discovery and fetches keys from u.
func WithJWKSURL(u string) KeySetOption { return func(k *KeySet) { k.jwksURL = u } }

// WithHTTPClient sets the client used for discovery and JWKS fetches. Give
// it a Timeout; the default client has one of 5 seconds.
func WithHTTPClient(c *http.Client) KeySetOption { return func(k *KeySet) { k.client = c } }

// WithMinRefreshInterval sets the least time between two fetches (default 5s).
func WithMinRefreshInterval(d time.Duration) KeySetOption {
	return func(k *KeySet) { k.minInterval = d }
}

// WithMaxKeyAge sets how long fetched keys are used before they are
// refreshed in the background (default 15 minutes).
func WithMaxKeyAge(d time.Duration) KeySetOption { return func(k *KeySet) { k.maxAge = d } }

// WithLogger sets where refresh outcomes are logged.
func WithLogger(l *slog.Logger) KeySetOption { return func(k *KeySet) { k.log = l } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) KeySetOption { return func(k *KeySet) { k.now = now } }

// NewKeySet returns a KeySet for issuer. Nothing is fetched until a key is
// first needed, so a cold start does not pay for it unless a token arrives.
func NewKeySet(issuer string, opts ...KeySetOption) *KeySet {
	k := &KeySet{
		issuer:       issuer,
		client:       &http.Client{Timeout: 5 * time.Second},
		log:          slog.New(slog.DiscardHandler),
		now:          time.Now,
		minInterval:  5 * time.Second,
		maxAge:       15 * time.Minute,
		fetchTimeout: 10 * time.Second,
	}
	for _, opt := range opts {
		opt(k)
	}
	k.client = httpsOnlyRedirects(k.client)
	return k
}

// httpsOnlyRedirects returns a copy of c (the caller's client is left as
// it is) that checks every redirect hop against issuerurl.Check before
// following it. Checking only where a chain ends would let key material
// cross the network in clear on a hop in between.
func httpsOnlyRedirects(c *http.Client) *http.Client {
	out := *c
	next := c.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := issuerurl.Check(req.URL.String()); err != nil {
			return fmt.Errorf("redirected: %w", err)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 { // net/http's default policy
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &out
}

// OnChange registers f to be called with the key ids that disappeared from
// the issuer's JWKS at a refresh, or that now name other key material (for
// example after a compromised key was revoked), so caches of tokens
// verified with them can be dropped.
func (k *KeySet) OnChange(f func(removed []string)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.onChange = append(k.onChange, f)
}

// Fetches reports how many fetches of the JWKS were attempted.
func (k *KeySet) Fetches() int64 { return k.fetches.Load() }

// Key returns the public key with id kid, usable with alg. An unknown kid
// triggers a refresh (subject to the rate limit); it then fails with
// ErrInvalidToken, or ErrUnavailable if no keys could ever be loaded.
func (k *KeySet) Key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	key, ok, _, stale := k.lookup(kid)
	if ok {
		if stale {
			// Start a refresh, but wait for none: a goroutine per request
			// waiting on a slow issuer would pile up under load.
			_, _ = k.start()
		}
		return usable(key, kid, alg)
	}
	err := k.refresh(ctx)
	key, ok, loaded, _ := k.lookup(kid)
	if ok {
		return usable(key, kid, alg)
	}
	if !loaded {
		return nil, &Error{Err: ErrUnavailable, Reason: fmt.Sprintf("signing keys unavailable: %v", err), KeyID: kid}
	}
	return nil, &Error{Err: ErrInvalidToken, Reason: "unknown key id", KeyID: kid}
}

func (k *KeySet) lookup(kid string) (key jose.JSONWebKey, ok, loaded, stale bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	key, ok = k.keys[kid]
	loaded = !k.loadedAt.IsZero()
	stale = loaded && k.now().Sub(k.loadedAt) > k.maxAge
	return key, ok, loaded, stale
}

func usable(key jose.JSONWebKey, kid, alg string) (crypto.PublicKey, error) {
	// A key published for one algorithm must not verify another
	// (RFC 7517 §4.4); a key without "alg" is usable with the configured one.
	if key.Algorithm != "" && key.Algorithm != alg {
		return nil, &Error{Err: ErrInvalidToken, Reason: "key is not for algorithm " + alg, KeyID: kid}
	}
	return key.Key, nil
}

var errTooSoon = errors.New("refresh rate-limited")

// refresh fetches the JWKS unless one was attempted less than minInterval
// ago. Concurrent callers share one fetch; each waits only as long as its
// own context allows (a Lambda deadline), while the fetch itself runs to its
// own timeout so one impatient caller cannot spoil it for the others.
func (k *KeySet) refresh(ctx context.Context) error {
	call, err := k.start()
	if err != nil {
		return err
	}
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start returns the refresh in flight, or starts one unless the last
// attempt was less than minInterval ago.
func (k *KeySet) start() (*refreshCall, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.inflight != nil {
		return k.inflight, nil
	}
	if !k.lastAttempt.IsZero() && k.now().Sub(k.lastAttempt) < k.minInterval {
		return nil, errTooSoon
	}
	k.lastAttempt = k.now()
	call := &refreshCall{done: make(chan struct{})}
	k.inflight = call
	go k.run(call)
	return call, nil
}

func (k *KeySet) run(call *refreshCall) {
	ctx, cancel := context.WithTimeout(context.Background(), k.fetchTimeout)
	defer cancel()
	k.fetches.Add(1)
	keys, err := k.fetch(ctx)
	var removed []string
	var hooks []func([]string)
	k.mu.Lock()
	if err == nil {
		for kid, old := range k.keys {
			if now, still := keys[kid]; !still || !sameKey(old, now) {
				removed = append(removed, kid)
			}
		}
		k.keys = keys
		k.loadedAt = k.now()
		hooks = k.onChange
	}
	k.inflight = nil
	call.err = err
	k.mu.Unlock()
	// Hooks run before the callers waiting on this refresh are released: by
	// the time a refresh returns, tokens of removed keys are out of every
	// cache, and the request that made us refresh cannot race that.
	if len(removed) > 0 {
		for _, f := range hooks {
			f(removed)
		}
	}
	close(call.done)
	if err != nil {
		k.log.Warn("jwks refresh failed; keeping known keys", "issuer", k.issuer, "err", err)
		return
	}
	k.log.Debug("jwks refreshed", "issuer", k.issuer, "keys", len(keys), "removed", len(removed))
}

// sameKey reports whether a and b are the same public key for the same
// algorithm. Some issuers rotate by replacing the key behind a fixed kid:
// for the tokens of the old key, that is a revocation.
func sameKey(a, b jose.JSONWebKey) bool {
	pub, ok := a.Key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(b.Key) && a.Algorithm == b.Algorithm
}

// maxDocumentSize bounds discovery and JWKS documents.
const maxDocumentSize = 1 << 20

func (k *KeySet) fetch(ctx context.Context) (map[string]jose.JSONWebKey, error) {
	jwksURL := k.discoveredURL()
	if jwksURL == "" {
		u, err := k.discover(ctx)
		if err != nil {
			return nil, fmt.Errorf("discover jwks_uri: %w", err)
		}
		jwksURL = u
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := k.getJSON(ctx, jwksURL, &doc); err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	keys := map[string]jose.JSONWebKey{}
	for _, raw := range doc.Keys {
		var key jose.JSONWebKey
		if err := key.UnmarshalJSON(raw); err != nil {
			continue // one key we cannot read must not hide the others
		}
		if !acceptableKey(key) {
			continue
		}
		keys[key.KeyID] = key
	}
	if len(keys) == 0 {
		// Never cache an empty set: it would turn a bad response into an
		// outage that lasts until the next refresh.
		return nil, errors.New("fetch jwks: no usable signing keys")
	}
	return keys, nil
}

func acceptableKey(key jose.JSONWebKey) bool {
	if key.KeyID == "" || !key.Valid() || !key.IsPublic() {
		return false
	}
	if key.Use != "" && key.Use != "sig" {
		return false
	}
	if rsaKey, ok := key.Key.(*rsa.PublicKey); ok && rsaKey.N.BitLen() < 2048 {
		return false
	}
	return true
}

func (k *KeySet) discoveredURL() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.jwksURL
}

// discover reads the issuer's OpenID configuration (OIDC Discovery §4).
func (k *KeySet) discover(ctx context.Context) (string, error) {
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	wellKnown := strings.TrimSuffix(k.issuer, "/") + "/.well-known/openid-configuration"
	if err := k.getJSON(ctx, wellKnown, &meta); err != nil {
		return "", err
	}
	// §4.3: the document must name the issuer we asked, or it describes
	// someone else's keys.
	if meta.Issuer != k.issuer {
		return "", fmt.Errorf("discovery issuer %q does not match %q", meta.Issuer, k.issuer)
	}
	if err := issuerurl.Check(meta.JWKSURI); err != nil {
		return "", fmt.Errorf("jwks_uri: %w", err)
	}
	k.mu.Lock()
	k.jwksURL = meta.JWKSURI
	k.mu.Unlock()
	return meta.JWKSURI, nil
}

func (k *KeySet) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A redirect must not take key material off https (or off loopback):
	// check where the client actually ended up, whatever client we were given.
	if err := issuerurl.Check(resp.Request.URL.String()); err != nil {
		return fmt.Errorf("GET %s: redirected: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDocumentSize))
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentSize+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxDocumentSize {
		return fmt.Errorf("GET %s: document larger than %d bytes", u, maxDocumentSize)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: malformed JSON: %w", u, err)
	}
	return nil
}
