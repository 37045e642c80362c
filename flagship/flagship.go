// Package flagship turns the typed configuration into the flagship API as a
// Lambda function: the router (routes.New) with its verifier and single-use
// token issuer, served through lambdahttp. The root command (`go
// run .`, Docker, plain Lambda) and the Netlify function
// netlify/functions/api both build it here, so the flagship answers the
// same wherever it runs.
package flagship

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/replay"
	"github.com/fnguard/fnguard/routes"
)

// errNoIssuer: the development issuer hands admin tokens to anyone who asks,
// so a Lambda never falls back to it (config.Load refuses that too).
var errNoIssuer = errors.New("AUTH0_DOMAIN: AUTH0_DOMAIN or AUTH_ISSUER_URL is required in Lambda")

// Lambda returns the flagship as a Lambda handler, verifying tokens from
// cfg's issuer. Both payload versions are served under every base path
// (Netlify calls the function at /.netlify/functions/api/... directly and
// at /api/... through the rewrite).
func Lambda(cfg config.Config, log *slog.Logger) (*lambdahttp.Handler, error) {
	if cfg.Issuer == "" {
		return nil, errNoIssuer
	}
	verifier, err := cfg.Verifier(cfg.Issuer, log)
	if err != nil {
		return nil, err
	}
	tokens, err := cfg.TokenIssuer(log)
	if err != nil {
		return nil, err
	}
	router := Router(cfg, verifier, tokens, log, nil)
	if cfg.NetlifyDev {
		router = uncompressed(router)
	}
	return lambdahttp.New(router, log), nil
}

// Router is the flagship's router as cfg configures it (base paths, CORS
// origins), checking tokens with v and issuing single-use tokens with
// tokens (nil: POST /tokens answers 503). mounts are served beside the API
// by path prefix: the local server (package netlifydev) mounts the
// functions, the page and the development issuer there; in Lambda there
// are none.
func Router(cfg config.Config, v *auth.Verifier, tokens *onetime.Issuer, log *slog.Logger, mounts map[string]http.Handler) http.Handler {
	return routes.New(routes.Options{
		Logger:         log,
		Verifier:       v,
		BasePaths:      cfg.BasePaths,
		AllowedOrigins: cfg.CORSOrigins,
		Tokens:         tokens,
		Mounts:         mounts,
	})
}

// uncompressed serves router as if no client accepted compression.
// `netlify dev`'s Go runtime (netlify-cli 23.15.1) drops isBase64Encoded
// from a function's answer and sends the base64 text itself as the body:
// a gzip answer would reach the client as "Content-Encoding: gzip" over
// text that does not gunzip, and the page would fail to read it.
func uncompressed(router http.Handler) http.Handler {
	m := chi.NewMux()
	m.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("Accept-Encoding")
			next.ServeHTTP(w, r)
		})
	})
	m.Mount("/", router)
	return m
}

// StartLambda serves the flagship as a Lambda function until ctx ends.
func StartLambda(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	h, err := Lambda(cfg, log)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(h, lambda.WithContext(ctx))
	return nil
}

// Run is the Netlify function's main: read the environment, then serve
// Lambda invocations. Outside Lambda it refuses: the local server, with its
// development issuer, is `go run .`.
func Run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if !cfg.InLambda {
		return errors.New("this is the flagship built for AWS Lambda and Netlify Functions; for the local server, `go run .` at the repository root")
	}
	log := logger.New(stderr, cfg.LogFormat, cfg.LogLevel)
	// As the root command: what aws-lambda-go and the Redis client print
	// by themselves goes through log too.
	logger.RouteStdLog(log)
	replay.RouteRedisLog(log)
	return StartLambda(ctx, cfg, log)
}
