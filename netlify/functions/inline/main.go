// Command inline is the inline strategy as a Netlify (or AWS Lambda) function.
// See package strategies/inline.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/strategies/inline"
	"github.com/fnguard/fnguard/strategies/provider"
)

func main() {
	a, log, err := provider.FromEnv(os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "inline: %v\n", err)
		os.Exit(1)
	}
	lambda.Start(inline.New(a, log))
}
