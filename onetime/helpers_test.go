package onetime

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/replay"
)

// t0 is the tests' "now": tokens are issued at t0 unless a test moves the
// clock.
var t0 = time.Unix(1_800_000_000, 0)

func testKey(t testing.TB) *Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testIssuer(t testing.TB, key *Key, now *time.Time) *Issuer {
	t.Helper()
	i, err := NewIssuer(key, DefaultGrants, WithIssuerClock(func() time.Time { return *now }))
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func testVerifier(t testing.TB, target string, keys auth.KeyResolver, now *time.Time) *Verifier {
	t.Helper()
	v, err := NewVerifier(target, keys, WithVerifierClock(func() time.Time { return *now }))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func principal(roles ...string) *auth.Principal {
	return &auth.Principal{Subject: "user|" + time.Now().Format("150405.000000000"), Roles: roles}
}

// forge signs any header and claims with key as ES256, to build tokens our
// issuer never would.
func forge(t testing.TB, key *Key, header, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	return input + "." + signES256(t, key.private, input)
}

func signES256(t testing.TB, priv *ecdsa.PrivateKey, input string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, priv, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	// JWS wants r || s, each left-padded to 32 bytes (RFC 7518 §3.4).
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return base64.RawURLEncoding.EncodeToString(sig)
}

func validHeader(key *Key) map[string]any {
	return map[string]any{"alg": "ES256", "typ": Type, "kid": key.KeyID()}
}

func validClaims() map[string]any {
	return map[string]any{
		"iss": DefaultIssuer, "sub": "user|1", "aud": TargetReports,
		"iat": t0.Unix(), "exp": t0.Add(time.Minute).Unix(),
		"jti": "abc", "action": ActionRead,
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// failingStore is a replay store that cannot answer, for the unit tests;
// the Redis tests kill a real server instead.
type failingStore struct{}

func (failingStore) Claim(context.Context, string, time.Time) (bool, error) {
	return false, fmt.Errorf("%w: connection refused", replay.ErrUnavailable)
}
