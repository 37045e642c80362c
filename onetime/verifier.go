package onetime

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/jws"
)

// DefaultLeeway is the clock skew tolerated between the issuing service and
// a target function. It is small: the whole token lives a minute.
const DefaultLeeway = 5 * time.Second

// maxIDLength bounds the jti we store; ours are 22 characters.
const maxIDLength = 128

// Verifier checks single-use tokens for one target function. It does not
// make them single-use: Redeemer does, on top of it.
type Verifier struct {
	target string
	keys   auth.KeyResolver
	leeway time.Duration
	now    func() time.Time
}

// VerifierOption configures a Verifier.
type VerifierOption func(*Verifier)

// WithLeeway sets the tolerated clock skew (default DefaultLeeway).
func WithLeeway(d time.Duration) VerifierOption { return func(v *Verifier) { v.leeway = d } }

// WithVerifierClock replaces time.Now, for tests.
func WithVerifierClock(now func() time.Time) VerifierOption {
	return func(v *Verifier) { v.now = now }
}

// NewVerifier returns a Verifier for tokens whose audience is target, signed
// by a key keys resolves: the issuing service's JWKS (an *auth.KeySet made
// with auth.WithJWKSURL) for a separate function, or the *Key itself when
// issuer and target share a process.
func NewVerifier(target string, keys auth.KeyResolver, opts ...VerifierOption) (*Verifier, error) {
	if target == "" {
		return nil, errors.New("a target is required")
	}
	if keys == nil {
		return nil, errors.New("a key resolver is required")
	}
	v := &Verifier{target: target, keys: keys, leeway: DefaultLeeway, now: time.Now}
	for _, opt := range opts {
		opt(v)
	}
	return v, nil
}

// Verify checks token and returns its claims. Errors wrap
// auth.ErrInvalidToken (auth.ErrTokenExpired for age), or auth.ErrUnavailable
// when the keys cannot be loaded.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	h, err := parseHeader(token)
	if err != nil {
		return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: err.Error(), KeyID: h.Kid}
	}
	key, err := v.keys.Key(ctx, h.Kid, Algorithm)
	if err != nil {
		return nil, err
	}
	if _, ok := key.(*ecdsa.PublicKey); !ok {
		return nil, invalid(h.Kid, "", "key is not an ECDSA public key")
	}
	parsed, err := jwt.ParseSigned(token)
	if err != nil {
		return nil, invalid(h.Kid, "", "malformed token")
	}
	var c Claims
	if err := parsed.Claims(key, &c); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return nil, invalid(h.Kid, "", "signature does not verify")
		}
		return nil, invalid(h.Kid, "", "malformed claims")
	}
	if err := v.check(&c); err != nil {
		var e *auth.Error
		if errors.As(err, &e) {
			e.KeyID, e.Subject = h.Kid, c.Subject
			return nil, e
		}
		return nil, invalid(h.Kid, c.Subject, err.Error())
	}
	return &c, nil
}

func (v *Verifier) check(c *Claims) error {
	for _, d := range []*jwt.NumericDate{c.Expiry, c.NotBefore, c.IssuedAt} {
		// Before any comparison with the clock: time.Time arithmetic on a
		// date near the int64 maximum wraps into the past.
		if d != nil && !jws.InNumericDateRange(int64(*d)) {
			return errors.New("exp, nbf or iat out of range")
		}
	}
	now := v.now()
	err := c.ValidateWithLeeway(jwt.Expected{Issuer: DefaultIssuer, Time: now}, v.leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return &auth.Error{Err: auth.ErrTokenExpired, Reason: "token expired"}
	case err != nil:
		return fmt.Errorf("claims: %w", err)
	case c.Expiry == nil || c.IssuedAt == nil:
		return errors.New("token has no exp or iat")
	case c.Expiry.Time().Sub(c.IssuedAt.Time()) > MaxTTL:
		// Our issuer never signs such a token; a long one would also pin
		// its jti in the replay store for as long.
		return fmt.Errorf("token lifetime longer than %s", MaxTTL)
	case len(c.Audience) != 1 || c.Audience[0] != v.target:
		return errors.New("audience is not this function")
	case c.ID == "" || len(c.ID) > maxIDLength:
		return errors.New("jti missing or too long")
	case c.Subject == "":
		return errors.New("token has no sub")
	case c.Action == "":
		return errors.New("token has no action")
	}
	return nil
}

// usableUntil is the last moment Verify could still accept c: the replay
// record must outlive it, or the token could be replayed once its record
// expired but before the token did.
func (v *Verifier) usableUntil(c *Claims) time.Time {
	return c.Expiry.Time().Add(v.leeway + time.Second)
}

func invalid(kid, sub, reason string) *auth.Error {
	return &auth.Error{Err: auth.ErrInvalidToken, Reason: reason, KeyID: kid, Subject: sub}
}
