package onetime

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/fnguard/fnguard/auth"
)

// Type is the typ header of single-use tokens (RFC 8725 §3.11: explicit
// typing keeps one kind of JWT from being accepted as another).
const Type = "fnguard-onetime+jwt"

// DefaultIssuer is the iss of single-use tokens. It only has to differ from
// any user-token issuer; the signing key is what makes a token ours.
const DefaultIssuer = "urn:fnguard:onetime"

// DefaultTTL is how long a token lives unless configured otherwise, and
// MaxTTL the most any configuration or token may ask for.
const (
	DefaultTTL = 60 * time.Second
	MaxTTL     = 5 * time.Minute
)

// ErrUnknownGrant: the target or action asked for does not exist. It is
// the client's mistake (400), unlike a grant the caller may not have (403).
var ErrUnknownGrant = errors.New("unknown target or action")

// Claims are the claims of a single-use token.
type Claims struct {
	jwt.Claims
	Action string `json:"action"`
}

// Issued is a signed token and what it allows.
type Issued struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Target    string    `json:"target"`
	Action    string    `json:"action"`
}

// Issuer signs single-use tokens for the grants it knows.
type Issuer struct {
	key    *Key
	signer jose.Signer
	grants map[grantKey]auth.Policy
	ttl    time.Duration
	now    func() time.Time
}

// IssuerOption configures an Issuer.
type IssuerOption func(*Issuer)

// WithTTL sets the lifetime of tokens (default DefaultTTL, at most MaxTTL).
func WithTTL(d time.Duration) IssuerOption { return func(i *Issuer) { i.ttl = d } }

// WithIssuerClock replaces time.Now, for tests.
func WithIssuerClock(now func() time.Time) IssuerOption { return func(i *Issuer) { i.now = now } }

// NewIssuer returns an Issuer signing with key for grants.
func NewIssuer(key *Key, grants []Grant, opts ...IssuerOption) (*Issuer, error) {
	if key == nil {
		return nil, errors.New("a signing key is required")
	}
	idx, err := indexGrants(grants)
	if err != nil {
		return nil, err
	}
	i := &Issuer{key: key, grants: idx, ttl: DefaultTTL, now: time.Now}
	for _, opt := range opts {
		opt(i)
	}
	if i.ttl <= 0 || i.ttl > MaxTTL {
		return nil, fmt.Errorf("token lifetime %s: want more than 0 and at most %s", i.ttl, MaxTTL)
	}
	i.signer, err = jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key.private, KeyID: key.kid}},
		(&jose.SignerOptions{}).WithType(Type),
	)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	return i, nil
}

// Key returns the signing key (its JWKS is what verifiers need).
func (i *Issuer) Key() *Key { return i.key }

// Issue signs a token letting p perform action on target once. It fails
// with ErrUnknownGrant for a pair no grant names, and with auth.ErrForbidden
// (through auth.Check) when p may not ask for it.
func (i *Issuer) Issue(p *auth.Principal, target, action string) (Issued, error) {
	policy, ok := i.grants[grantKey{target, action}]
	if !ok {
		return Issued{}, fmt.Errorf("%w: %.64q/%.64q", ErrUnknownGrant, target, action)
	}
	if err := auth.Check(p, policy); err != nil {
		return Issued{}, err
	}
	now := i.now()
	exp := now.Add(i.ttl)
	c := Claims{
		Claims: jwt.Claims{
			Issuer:   DefaultIssuer,
			Subject:  p.Subject,
			Audience: jwt.Audience{target},
			IssuedAt: jwt.NewNumericDate(now),
			// Seconds, like every NumericDate: round down, so the token
			// never outlives the configured lifetime.
			Expiry: jwt.NewNumericDate(exp),
			ID:     newID(),
		},
		Action: action,
	}
	tok, err := jwt.Signed(i.signer).Claims(c).CompactSerialize()
	if err != nil {
		return Issued{}, fmt.Errorf("sign single-use token: %w", err)
	}
	return Issued{Token: tok, ExpiresAt: exp.Truncate(time.Second).UTC(), Target: target, Action: action}, nil
}

// newID returns 128 random bits: a jti nobody can guess or collide with.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
