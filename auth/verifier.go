package auth

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/auth0/go-jwt-middleware/v2/validator"
	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/fnguard/fnguard/internal/jws"
)

// DefaultRolesClaim is where roles are read from unless configured otherwise.
// Auth0 only lets custom claims into access tokens under a namespaced URL,
// set by a post-login Action (see the README).
const DefaultRolesClaim = "https://fnguard.dev/roles"

// KeyResolver returns the public key a token's kid names. *KeySet is one.
type KeyResolver interface {
	Key(ctx context.Context, kid, alg string) (crypto.PublicKey, error)
}

// Config is what a Verifier checks tokens against.
type Config struct {
	Issuer     string        // exact "iss", e.g. "https://tenant.eu.auth0.com/"
	Audiences  []string      // a token must name at least one of them in "aud"
	Algorithm  string        // signing algorithm; default RS256
	RolesClaim string        // claim holding roles; default DefaultRolesClaim
	ClockSkew  time.Duration // leeway for exp, nbf and iat

	// CacheSize bounds the cache of verified tokens (default
	// DefaultCacheSize); a negative size turns the cache off.
	CacheSize int
	// CacheTTL caps how long a verified token is trusted without checking
	// its signature again (default DefaultCacheTTL); tokens are never
	// trusted past their own exp.
	CacheTTL time.Duration
}

// Verifier checks access tokens and turns them into Principals.
type Verifier struct {
	alg        string
	rolesClaim string
	keys       KeyResolver
	validator  *validator.Validator
	cache      *tokenCache // nil when off
}

type headerKey struct{}

// NewVerifier returns a Verifier that validates tokens with go-jwt-middleware,
// taking keys from keys.
func NewVerifier(cfg Config, keys KeyResolver) (*Verifier, error) {
	if cfg.Algorithm == "" {
		cfg.Algorithm = string(validator.RS256)
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = DefaultRolesClaim
	}
	if strings.HasPrefix(cfg.Algorithm, "HS") {
		// A shared secret cannot be published as JWKS; HS tokens are the
		// Netlify Identity verifier's business, never this one's.
		return nil, fmt.Errorf("algorithm %s: only asymmetric algorithms verify against a JWKS", cfg.Algorithm)
	}
	if keys == nil {
		return nil, errors.New("a key resolver is required")
	}
	if cfg.CacheTTL < 0 {
		return nil, fmt.Errorf("cache ttl %s: must not be negative", cfg.CacheTTL)
	}
	v := &Verifier{alg: cfg.Algorithm, rolesClaim: cfg.RolesClaim, keys: keys}
	if cfg.CacheSize >= 0 {
		v.cache = newTokenCache(or(cfg.CacheSize, DefaultCacheSize), or(cfg.CacheTTL, DefaultCacheTTL), cfg.ClockSkew)
		// A KeySet reports the keys a refresh found gone (revoked after a
		// compromise): tokens they signed must stop working at once.
		if kc, ok := keys.(interface{ OnChange(func(removed []string)) }); ok {
			kc.OnChange(v.cache.drop)
		}
	}
	val, err := validator.New(
		v.keyFunc,
		validator.SignatureAlgorithm(cfg.Algorithm),
		cfg.Issuer,
		cfg.Audiences,
		validator.WithAllowedClockSkew(cfg.ClockSkew),
		validator.WithCustomClaims(func() validator.CustomClaims {
			return &tokenClaims{rolesClaim: v.rolesClaim}
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("configure validator: %w", err)
	}
	v.validator = val
	return v, nil
}

// keyFunc gives go-jwt-middleware the one key the token's kid names. The
// library's own key funcs return a whole JWKS and cannot see the kid, so
// they cannot refresh on rotation; Verify passes the header in ctx instead.
func (v *Verifier) keyFunc(ctx context.Context) (any, error) {
	hdr, ok := ctx.Value(headerKey{}).(jws.Header)
	if !ok {
		return nil, deny(ErrInvalidToken, "token header not checked")
	}
	return v.keys.Key(ctx, hdr.Kid, v.alg)
}

// Verify checks token and returns the caller it identifies. Errors wrap
// ErrInvalidToken (or ErrTokenExpired), or ErrUnavailable when no signing
// keys could be loaded.
//
// A token verified once is answered from a cache until it expires, its key
// leaves the JWKS, or CacheTTL passes. The Principal returned is then shared
// by every request carrying that token: treat it as read-only.
func (v *Verifier) Verify(ctx context.Context, token string) (*Principal, error) {
	if len(token) > maxTokenSize {
		// Before the cache, which would copy the token to hash it.
		return nil, deny(ErrInvalidToken, "token too large")
	}
	if v.cache == nil {
		return v.verify(ctx, token)
	}
	return v.cache.verify(ctx, token, v.verify)
}

func (v *Verifier) verify(ctx context.Context, token string) (*Principal, error) {
	if !isToken68(token) {
		// Before the cache stores it: a cache hit is a token scanned here.
		return nil, deny(ErrInvalidToken, "token has characters outside token68")
	}
	hdr, err := parseHeader(token, v.alg)
	if err != nil {
		return nil, &Error{Err: ErrInvalidToken, Reason: err.Error(), KeyID: hdr.Kid}
	}
	ctx = context.WithValue(ctx, headerKey{}, hdr)
	out, err := v.validator.ValidateToken(ctx, token)
	if err != nil {
		return nil, classify(err, hdr.Kid)
	}
	vc, ok := out.(*validator.ValidatedClaims)
	if !ok {
		return nil, &Error{Err: ErrInvalidToken, Reason: "unexpected claims type", KeyID: hdr.Kid}
	}
	rc := vc.RegisteredClaims
	switch {
	case rc.Expiry == 0:
		// go-jose treats a missing exp as "never expires". A bearer token
		// that lives forever is one leak away from permanent access.
		return nil, &Error{Err: ErrInvalidToken, Reason: "token has no exp", KeyID: hdr.Kid, Subject: rc.Subject}
	case rc.Subject == "":
		return nil, &Error{Err: ErrInvalidToken, Reason: "token has no sub", KeyID: hdr.Kid}
	case !jws.InNumericDateRange(rc.Expiry) || !jws.InNumericDateRange(rc.NotBefore) || !jws.InNumericDateRange(rc.IssuedAt):
		// tokenClaims refused these before the clock checks; this guards
		// against a decoder that skips it (go-jose wraps 1e19 to negative).
		return nil, &Error{Err: ErrInvalidToken, Reason: "exp, nbf or iat out of range", KeyID: hdr.Kid, Subject: rc.Subject}
	}
	claims, _ := vc.CustomClaims.(*tokenClaims)
	if claims == nil {
		claims = &tokenClaims{}
	}
	return &Principal{
		Subject:     rc.Subject,
		Issuer:      rc.Issuer,
		Audience:    rc.Audience,
		Roles:       nonNil(claims.Roles),
		Permissions: nonNil(claims.Permissions),
		Scopes:      nonNil(claims.Scopes),
		ExpiresAt:   time.Unix(rc.Expiry, 0),
		KeyID:       hdr.Kid,
		TokenID:     rc.ID,
	}, nil
}

// classify maps go-jwt-middleware and go-jose errors to our sentinels. Their
// texts stay in Reason, for logs only.
func classify(err error, kid string) error {
	var ours *Error
	if errors.As(err, &ours) {
		return ours
	}
	reason := "malformed token"
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return &Error{Err: ErrTokenExpired, Reason: "token expired", KeyID: kid}
	case errors.Is(err, jwt.ErrNotValidYet):
		reason = "token not valid yet (nbf)"
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		reason = "token issued in the future (iat)"
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return &Error{Err: ErrIssuerNotAccepted, Reason: "iss is not the configured issuer", KeyID: kid}
	case errors.Is(err, jwt.ErrInvalidAudience):
		reason = "audience not accepted"
	case errors.Is(err, jose.ErrCryptoFailure):
		reason = "signature does not verify"
	case errors.Is(err, errClaimType):
		reason = err.Error()
	}
	return &Error{Err: ErrInvalidToken, Reason: reason, KeyID: kid}
}

// nonNil returns s, never nil, and clipped to its length: a Principal is
// shared by every request carrying the same token (see Verify), so an
// append by one handler must copy, not write into the others' array.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clip(s)
}
