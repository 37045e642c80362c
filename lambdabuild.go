//go:build lambda.norpc

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/fnguard/fnguard/config"
)

// A build with -tags lambda.norpc (Netlify's and the Makefile's) is the
// deployed function: it only ever answers the Lambda Runtime API. The local
// server (package netlifydev), the development issuer and the token
// commands are compiled out of it, which keeps the binary small and leaves
// no development issuer in production to switch on.

var errLambdaBuild = errors.New("this binary was built for AWS Lambda (-tags lambda.norpc); for the local server, `go run .`")

func usage(w io.Writer) {
	fmt.Fprintln(w, "fnguard, built for AWS Lambda (-tags lambda.norpc): it serves the flagship through the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API), configured by environment variables (README.md, \"Configuration\"). The local server and the token commands are `go run .`.")
}

func serve(context.Context, config.Config, func(string) string, *slog.Logger, io.Writer) error {
	return errLambdaBuild
}

func runToken([]string, config.Config, io.Writer) error { return errLambdaBuild }

func runNetlifyToken([]string, config.Config, io.Writer) error { return errLambdaBuild }
