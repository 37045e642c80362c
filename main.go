// Command fnguard is the flagship of the guide: a chi router protected by
// Auth0 access tokens, served by a local HTTP server or, when started by
// AWS Lambda (or Netlify Functions), as one Lambda function.
//
//	go run .                    local server with a development issuer
//	go run . token --role admin print a development token for a persona
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/routes"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "fnguard: %v\n", err)
		os.Exit(1)
	}
}

// run reads the configuration and starts the mode it asks for. Everything
// it needs comes in as arguments, so tests drive it like a process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if len(args) > 0 && args[0] == "token" {
		return runToken(args[1:], cfg, stdout)
	}
	if len(args) > 0 && args[0] == "netlify-token" {
		return runNetlifyToken(args[1:], cfg, stdout)
	}
	if len(args) > 0 {
		return fmt.Errorf("unknown command %q (want no command, \"token\" or \"netlify-token\")", args[0])
	}
	log := logger.New(stderr, cfg.LogFormat, cfg.LogLevel)
	if cfg.InLambda {
		return runLambda(ctx, cfg, log)
	}
	return serve(ctx, cfg, getenv, log, stdout)
}

// runLambda serves the flagship through the Lambda Runtime API. The
// development issuer is never built on this path.
func runLambda(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	verifier, err := cfg.Verifier(cfg.Issuer, log)
	if err != nil {
		return err
	}
	tokens, err := cfg.TokenIssuer(log)
	if err != nil {
		return err
	}
	router := routes.New(routes.Options{
		Logger:         log,
		Verifier:       verifier,
		BasePaths:      cfg.BasePaths,
		AllowedOrigins: cfg.CORSOrigins,
		Tokens:         tokens,
	})
	lambda.StartWithOptions(lambdahttp.New(router, log), lambda.WithContext(ctx))
	return nil
}
