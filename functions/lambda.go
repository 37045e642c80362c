package functions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/strategies/provider"
	"github.com/fnguard/fnguard/strategies/proxyrole"
	"github.com/fnguard/fnguard/strategies/singleuse"
)

// Main is all a function's main does (netlify/functions/<name>/main.go):
// run f as a Lambda (Netlify) function, or exit 1 saying why it must not
// start.
func Main(f Function) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, f, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", f.Name, err)
		os.Exit(1)
	}
}

// Run builds the dependency f needs from the environment, then serves f
// through the Lambda Runtime API until ctx ends.
func Run(ctx context.Context, f Function, getenv func(string) string, stderr io.Writer) error {
	if f.Start != nil {
		return f.Start(ctx, getenv, stderr)
	}
	if f.New == nil || f.Needs == nil {
		return errors.New("no Lambda handler: serve it with `go run .`")
	}
	d, err := f.Needs.load(getenv, stderr)
	if err != nil {
		return err
	}
	h, err := f.New(d)
	if err != nil {
		return err
	}
	logger.RouteStdLog(d.Log)
	lambda.StartWithOptions(lambdahttp.WithTimeKept(h), lambda.WithContext(ctx))
	return nil
}

// The loaders read what a function needs as a deployed function: in
// Lambda, nothing is taken on faith and nothing falls back to a
// development value.

func loadCaller(getenv func(string) string, stderr io.Writer) (Deps, error) {
	a, log, err := provider.FromEnv(getenv, stderr)
	return Deps{Log: log, Caller: a}, err
}

func loadIdentity(getenv func(string) string, stderr io.Writer) (Deps, error) {
	cfg, err := config.LoadFunction(getenv, "netlify")
	if err != nil {
		return Deps{}, fmt.Errorf("configuration:\n%w", err)
	}
	d := Deps{Log: logger.New(stderr, cfg.LogFormat, cfg.LogLevel)}
	d.Identity, err = proxyrole.Authenticator(cfg.Netlify, cfg.InLambda)
	return d, err
}

func loadRedeemer(getenv func(string) string, stderr io.Writer) (Deps, error) {
	cfg, err := config.LoadFunction(getenv, "onetime")
	if err != nil {
		return Deps{}, fmt.Errorf("configuration:\n%w", err)
	}
	if !cfg.InLambda {
		return Deps{}, errors.New("this is a Lambda function; run `go run .` at the repository root to serve it locally")
	}
	d := Deps{Log: logger.New(stderr, cfg.LogFormat, cfg.LogLevel)}
	d.Redeemer, err = singleuse.RedeemerFromConfig(cfg, d.Log)
	return d, err
}
