// Package devissuer is a small OpenID issuer for development and tests: it
// holds an RSA key, publishes it as a real JWKS over HTTP (with OIDC
// discovery), signs access tokens for three personas, and signs the
// single-page app's users in as one of them (authorization code + PKCE).
//
// It lets `go run .` protect routes without an Auth0 account, and lets tests
// exercise the exact code path production uses (discovery, JWKS over HTTP,
// RS256 signatures). It is never started in Lambda or when a real issuer is
// configured; see the config package.
package devissuer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/internal/jwssign"
)

// Issuer signs tokens as URL for Audience.
type Issuer struct {
	URL        string // the "iss" of every token; ends in "/" like Auth0's
	Audience   string
	RolesClaim string
	// AccessTTL is the lifetime of the access and ID tokens of the
	// sign-in flow (AccessTokenTTL when zero); RefreshTTL, that of an
	// unused refresh token (RefreshTokenTTL when zero). Tests shorten them
	// to see a session outlive its tokens.
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	key        *rsa.PrivateKey
	kid        string
	now        func() time.Time
	signIn     signIn // the sign-in flow's clients and codes (authorize.go)
}

// New returns an Issuer signing with key. issuerURL is used verbatim as the
// "iss" claim and as the base of the discovery document.
func New(issuerURL string, key *rsa.PrivateKey, audience, rolesClaim string) *Issuer {
	return &Issuer{URL: issuerURL, Audience: audience, RolesClaim: rolesClaim, key: key, kid: KeyID(&key.PublicKey), now: time.Now}
}

// KeyID is the RFC 7638 thumbprint of pub, used as its kid.
func KeyID(pub *rsa.PublicKey) string {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		// Thumbprint fails only for key types other than RSA, EC and OKP.
		panic(fmt.Sprintf("devissuer: thumbprint: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// KeyID returns the kid of the signing key.
func (i *Issuer) KeyID() string { return i.kid }

// Key returns the signing key, for tests that forge variations of tokens.
func (i *Issuer) Key() *rsa.PrivateKey { return i.key }

// JWKS returns the public key set as published.
func (i *Issuer) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &i.key.PublicKey, KeyID: i.kid, Algorithm: "RS256", Use: "sig"}}}
}

// Handler serves the discovery document, the JWKS and the sign-in flow
// (authorize.go), relative to the issuer's path (mount it with
// http.StripPrefix).
func (i *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, mergeMaps(map[string]any{
			"issuer":                                i.URL,
			"jwks_uri":                              i.URL + ".well-known/jwks.json",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		}, i.signInDiscovery()))
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, i.JWKS())
	})
	i.signInRoutes(mux)
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(v)
}

// Claims returns the claims of a token for p, valid for ttl.
func (i *Issuer) Claims(p Persona, ttl time.Duration) map[string]any {
	now := i.now()
	c := map[string]any{
		"iss":         i.URL,
		"sub":         p.Subject,
		"aud":         []string{i.Audience},
		"iat":         now.Unix(),
		"exp":         expiry(now, ttl),
		"scope":       "openid profile email",
		"permissions": p.Permissions,
		"jti":         randomID(),
	}
	c[i.RolesClaim] = p.Roles
	return c
}

// expiry is the exp of a token issued at now for ttl. exp counts whole
// seconds and iat is now's second, so it is rounded up: a token then lives
// at least ttl, what expires_in announces. Rounded down, as Unix() does, a
// two-second token issued at 10.9 would expire at 12, living 1.1 s, and a
// verifier with no clock skew (or the exchange for nf_jwt, which wants a
// second of life) would refuse it well before the client renews it.
func expiry(now time.Time, ttl time.Duration) int64 {
	exp := now.Add(ttl)
	if exp.Nanosecond() != 0 {
		return exp.Unix() + 1
	}
	return exp.Unix()
}

// Mint signs an access token for p, valid for ttl.
func (i *Issuer) Mint(p Persona, ttl time.Duration) (string, error) {
	return i.Sign(i.Claims(p, ttl))
}

// Sign signs claims with the issuer's key and kid, as RS256.
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	return jwssign.Sign(i.key, map[string]any{"alg": "RS256", "typ": "JWT", "kid": i.kid}, claims)
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
