package singleuse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/replay"
)

// Run serves the function as a Lambda (or Netlify) function until ctx ends.
// Locally, `go run .` serves it instead, beside the issuer.
func Run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.LoadFunction(getenv, "onetime")
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if !cfg.InLambda {
		return errors.New("this is a Lambda function; run `go run .` at the repository root to serve it locally")
	}
	log := logger.New(stderr, cfg.LogFormat, cfg.LogLevel)
	mux, err := FromConfig(cfg, log)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(lambdahttp.New(mux, log), lambda.WithContext(ctx))
	return nil
}

// FromConfig builds the function deployed apart from the issuer: keys from
// the issuer's JWKS (ONETIME_JWKS_URL, cached, refreshed on an unknown kid),
// replay records in Redis when REDIS_URL is set.
func FromConfig(cfg config.Function, log *slog.Logger) (*chi.Mux, error) {
	if cfg.OneTimeJWKSURL == "" {
		return nil, errors.New("ONETIME_JWKS_URL is required")
	}
	keys := auth.NewKeySet(onetime.DefaultIssuer, auth.WithJWKSURL(cfg.OneTimeJWKSURL), auth.WithLogger(log))
	var store replay.Store = replay.NewMemory()
	if cfg.RedisURL != "" {
		r, err := replay.NewRedis(cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		store = r
	}
	v, err := onetime.NewVerifier(Name, keys)
	if err != nil {
		return nil, err
	}
	redeemer, err := onetime.NewRedeemer(v, store)
	if err != nil {
		return nil, err
	}
	return New(redeemer, log), nil
}
