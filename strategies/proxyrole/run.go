package proxyrole

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/logger"
)

// Run serves f as a Lambda (Netlify) function until ctx ends. In Lambda it
// refuses to start without NETLIFY_JWT_SECRET: it would have to trust the
// client context blindly.
func (f Function) Run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.LoadFunction(getenv, "netlify")
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := logger.New(stderr, cfg.LogFormat, cfg.LogLevel)
	n, err := Authenticator(cfg.Netlify, cfg.InLambda)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(f.Handler(n, log), lambda.WithContext(ctx))
	return nil
}

// Authenticator is the Netlify Identity provider for these functions: it
// re-verifies tokens when a secret is configured, and trusts an unverified
// client context only in development (never in Lambda).
func Authenticator(n config.Netlify, inLambda bool) (*auth.Netlify, error) {
	return auth.NewNetlify(auth.NetlifyConfig{
		Secret:                 n.JWTSecret,
		RolesPath:              n.RolesPath,
		TrustUnverifiedContext: !inLambda && len(n.JWTSecret) == 0,
	})
}
