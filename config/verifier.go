package config

import (
	"fmt"
	"log/slog"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/onetime"
)

// Verifier returns the access-token Verifier this configuration describes,
// for tokens of issuer (c.Issuer, or the development issuer's URL once the
// local server knows its port). The flagship and every strategy function
// build theirs here, so they check tokens identically.
func (c Config) Verifier(issuer string, log *slog.Logger) (*auth.Verifier, error) {
	opts := []auth.KeySetOption{
		auth.WithLogger(log),
		auth.WithMinRefreshInterval(c.JWKSMinRefresh),
	}
	if c.JWKSURL != "" {
		opts = append(opts, auth.WithJWKSURL(c.JWKSURL))
	}
	cacheSize := c.TokenCacheSize
	if cacheSize == 0 {
		// AUTH_TOKEN_CACHE_SIZE=0 turns the cache off; in auth.Config a
		// zero size means the default and a negative one means off.
		cacheSize = -1
	}
	return auth.NewVerifier(auth.Config{
		Issuer:     issuer,
		Audiences:  c.Audiences,
		Algorithm:  c.Algorithm,
		RolesClaim: c.RolesClaim,
		ClockSkew:  c.ClockSkew,
		CacheSize:  cacheSize,
		CacheTTL:   c.TokenCacheTTL,
	}, auth.NewKeySet(issuer, opts...))
}

// TokenIssuer returns the issuer of single-use tokens: signing with
// ONETIME_SIGNING_KEY, or locally with a key generated for this process.
// In Lambda without a key it returns nil, and POST /tokens answers 503.
func (c Config) TokenIssuer(log *slog.Logger) (*onetime.Issuer, error) {
	key := c.OneTime.SigningKey
	switch {
	case key == nil && c.InLambda:
		log.Warn("single-use tokens disabled: ONETIME_SIGNING_KEY is not set")
		return nil, nil
	case key == nil:
		var err error
		if key, err = onetime.GenerateKey(); err != nil {
			return nil, err
		}
	}
	i, err := onetime.NewIssuer(key, onetime.DefaultGrants, onetime.WithTTL(c.OneTime.TTL))
	if err != nil {
		return nil, fmt.Errorf("single-use tokens: %w", err)
	}
	return i, nil
}
