package securitytest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/jwssign"
)

// Traffic is the mixed traffic of the fault and load tests: each kind
// holds a pool of distinct tokens, so that a cache of verified tokens
// sees more than one.
type Traffic struct {
	Valid      *Kind // admin tokens of a known key on /api/admin: 200
	Expired    *Kind // expired admin tokens: 401
	Forged     *Kind // admin claims signed by another key under a known kid: 401
	UnknownKid *Kind // tokens naming a kid the issuer never published: 401, and a refresh attempt
	Forbidden  *Kind // free tokens on /api/admin: 403
	Public     *Kind // no token on /api/public: 200
}

// NewTraffic mints pools of size tokens per kind from iss's current key.
func NewTraffic(tb testing.TB, iss *Issuer, size int) *Traffic {
	tb.Helper()
	attacker := NewKey(tb)
	admin, _ := devissuer.LookupPersona("admin")
	tr := &Traffic{
		Valid:      &Kind{Name: "valid", Path: "/api/admin", Status: http.StatusOK},
		Expired:    &Kind{Name: "expired", Path: "/api/admin", Status: http.StatusUnauthorized},
		Forged:     &Kind{Name: "forged", Path: "/api/admin", Status: http.StatusUnauthorized},
		UnknownKid: &Kind{Name: "unknownkid", Path: "/api/admin", Status: http.StatusUnauthorized},
		Forbidden:  &Kind{Name: "forbidden", Path: "/api/admin", Status: http.StatusForbidden},
		Public:     &Kind{Name: "public", Path: "/api/public", Status: http.StatusOK},
	}
	kid := iss.Signer().KeyID()
	for range size {
		tr.Valid.Tokens = append(tr.Valid.Tokens, iss.Token(tb, "admin", time.Hour))
		tr.Expired.Tokens = append(tr.Expired.Tokens, iss.Token(tb, "admin", -time.Hour))
		tr.Forbidden.Tokens = append(tr.Forbidden.Tokens, iss.Token(tb, "free", time.Hour))
		claims := iss.Signer().Claims(admin, time.Hour)
		forged, err := jwssign.Sign(attacker, map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}, claims)
		if err != nil {
			tb.Fatal(err)
		}
		tr.Forged.Tokens = append(tr.Forged.Tokens, forged)
		tr.UnknownKid.Tokens = append(tr.UnknownKid.Tokens, iss.Sign(tb, map[string]any{"kid": randomKid()}, claims))
	}
	return tr
}

// Kinds returns every kind, for a Mix.
func (tr *Traffic) Kinds() []*Kind {
	return []*Kind{tr.Valid, tr.Expired, tr.Forged, tr.UnknownKid, tr.Forbidden, tr.Public}
}

// Rotated returns a kind of admin tokens signed with key, which iss is to
// rotate in (Issuer.RotateTo): 200 once the service has fetched the key,
// and possibly 401 before.
func Rotated(tb testing.TB, iss *Issuer, key *rsa.PrivateKey, size int) *Kind {
	tb.Helper()
	k := &Kind{Name: "rotated", Path: "/api/admin", Status: http.StatusOK, Before: http.StatusUnauthorized}
	signer := devissuer.New(iss.URL, key, iss.Audience, iss.RolesClaim)
	admin, _ := devissuer.LookupPersona("admin")
	for range size {
		tok, err := signer.Mint(admin, time.Hour)
		if err != nil {
			tb.Fatal(err)
		}
		k.Tokens = append(k.Tokens, tok)
	}
	return k
}

func randomKid() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "unknown-" + hex.EncodeToString(b[:])
}

// Fresh returns a kind of admin tokens minted for each request with iss's
// current key: never seen before, so never answered from a cache.
func Fresh(tb testing.TB, iss *Issuer) *Kind {
	tb.Helper()
	signer := iss.Signer()
	admin, _ := devissuer.LookupPersona("admin")
	return &Kind{Name: "fresh", Path: "/api/admin", Status: http.StatusOK, Mint: func() string {
		tok, err := signer.Mint(admin, time.Hour)
		if err != nil {
			panic(err) // signing with a valid RSA key does not fail
		}
		return tok
	}}
}
