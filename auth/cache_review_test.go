package auth

import (
	"context"
	"errors"
	"testing"

	jose "gopkg.in/go-jose/go-jose.v2"
)

// Issuers that rotate by replacing the key behind a fixed kid ("1",
// "default") revoke a key without removing its kid: the tokens the old key
// signed must leave the cache at that refresh, as for a removed kid.
func TestCacheDropsTokensOfAKeyReplacedUnderTheSameKid(t *testing.T) {
	ci := newCacheIssuer(t)
	ci.publish("key-a")
	keys := ci.keySet()
	v := newCachedVerifier(t, Config{Issuer: ci.url}, keys)
	var removed []string
	keys.OnChange(func(r []string) { removed = r })

	tok := ci.token(t, "key-a", "user|a", nil)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}

	// kid key-a now names other key material; a token with a kid never
	// seen makes the KeySet refresh before Verify returns.
	ci.mu.Lock()
	ci.jwk = []jose.JSONWebKey{{Key: &cacheKeys()["key-b"].PublicKey, KeyID: "key-a", Algorithm: "RS256", Use: "sig"}}
	ci.mu.Unlock()
	if _, err := v.Verify(context.Background(), ci.token(t, "key-new", "user|c", nil)); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of an unknown key: %v, want %v", err, ErrInvalidToken)
	}
	if len(removed) != 1 || removed[0] != "key-a" {
		t.Errorf("removed = %v, want [key-a]", removed)
	}
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token signed by the replaced key: %v, want %v", err, ErrInvalidToken)
	}
	if s := v.CacheStats(); s.Dropped != 1 || s.Entries != 0 {
		t.Errorf("stats = %+v, want the token dropped and nothing cached", s)
	}
}
