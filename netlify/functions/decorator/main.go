// Command decorator is the decorator strategy as a Netlify (or AWS Lambda) function.
// See package strategies/decorator.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/strategies/decorator"
	"github.com/fnguard/fnguard/strategies/provider"
)

func main() {
	a, log, err := provider.FromEnv(os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "decorator: %v\n", err)
		os.Exit(1)
	}
	lambda.Start(decorator.New(a, log))
}
