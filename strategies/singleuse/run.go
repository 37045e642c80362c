package singleuse

import (
	"errors"
	"log/slog"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/replay"
)

// RedeemerFromConfig is the redeemer of the function deployed apart from
// the issuer: keys from the issuer's JWKS (ONETIME_JWKS_URL, cached,
// refreshed on an unknown kid), replay records in Redis when REDIS_URL is
// set. Locally, `go run .` shares the process with the issuer and builds
// its redeemer from the key itself.
func RedeemerFromConfig(cfg config.Function, log *slog.Logger) (*onetime.Redeemer, error) {
	if cfg.OneTimeJWKSURL == "" {
		return nil, errors.New("ONETIME_JWKS_URL is required")
	}
	replay.RouteRedisLog(log)
	keys := auth.NewKeySet(onetime.DefaultIssuer, auth.WithJWKSURL(cfg.OneTimeJWKSURL), auth.WithLogger(log))
	return NewRedeemer(keys, cfg.RedisURL)
}

// NewRedeemer accepts tokens signed by keys, recording them in Redis at
// redisURL, or in memory when it is empty.
func NewRedeemer(keys auth.KeyResolver, redisURL string) (*onetime.Redeemer, error) {
	var store replay.Store = replay.NewMemory()
	if redisURL != "" {
		r, err := replay.NewRedis(redisURL)
		if err != nil {
			return nil, err
		}
		store = r
	}
	v, err := onetime.NewVerifier(Name, keys)
	if err != nil {
		return nil, err
	}
	return onetime.NewRedeemer(v, store)
}
