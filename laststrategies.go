//go:build !lambda.norpc

package main

import (
	"log/slog"
	"net/http"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/replay"
	"github.com/fnguard/fnguard/strategies/singleuse"
)

// mountSingleUse serves the "reports" function locally, at the path Netlify
// gives it. It shares the process with the issuer, so it verifies tokens
// with the key itself; deployed, it fetches the JWKS instead.
func mountSingleUse(cfg config.Config, tokens *onetime.Issuer, mounts map[string]http.Handler) error {
	if tokens == nil {
		return nil
	}
	var store replay.Store = replay.NewMemory()
	if cfg.OneTime.RedisURL != "" {
		r, err := replay.NewRedis(cfg.OneTime.RedisURL)
		if err != nil {
			return err
		}
		store = r
	}
	v, err := onetime.NewVerifier(singleuse.Name, tokens.Key())
	if err != nil {
		return err
	}
	redeemer, err := onetime.NewRedeemer(v, store)
	if err != nil {
		return err
	}
	mounts[singleuse.BasePath] = singleuse.Routes(redeemer)
	return nil
}

// mountLastStrategies mounts the guide's last two strategies: the target of
// single-use tokens, and the functions behind netlify.toml's role rules
// (whose rules the returned netlifyLocal enforces in front of the router).
func mountLastStrategies(cfg config.Config, log *slog.Logger, mounts map[string]http.Handler) (*onetime.Issuer, *netlifyLocal, error) {
	tokens, err := newTokenIssuer(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	if err := mountSingleUse(cfg, tokens, mounts); err != nil {
		return nil, nil, err
	}
	netlify, err := newNetlifyLocal(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	netlify.mount(mounts)
	return tokens, netlify, nil
}
