// Command middleware is the middleware strategy as a Netlify (or AWS Lambda) function.
// See package strategies/middleware.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/strategies/middleware"
	"github.com/fnguard/fnguard/strategies/provider"
)

func main() {
	a, log, err := provider.FromEnv(os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "middleware: %v\n", err)
		os.Exit(1)
	}
	lambda.Start(middleware.New(a, log))
}
