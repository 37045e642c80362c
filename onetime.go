package main

import (
	"fmt"
	"log/slog"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/onetime"
)

// newTokenIssuer returns the issuer of single-use tokens: signing with
// ONETIME_SIGNING_KEY, or locally with a key generated for this process.
// In Lambda without a key it returns nil, and POST /tokens answers 503.
func newTokenIssuer(cfg config.Config, log *slog.Logger) (*onetime.Issuer, error) {
	key := cfg.OneTime.SigningKey
	switch {
	case key == nil && cfg.InLambda:
		log.Warn("single-use tokens disabled: ONETIME_SIGNING_KEY is not set")
		return nil, nil
	case key == nil:
		var err error
		if key, err = onetime.GenerateKey(); err != nil {
			return nil, err
		}
	}
	i, err := onetime.NewIssuer(key, onetime.DefaultGrants, onetime.WithTTL(cfg.OneTime.TTL))
	if err != nil {
		return nil, fmt.Errorf("single-use tokens: %w", err)
	}
	return i, nil
}
