// Command authorizer is the API Gateway Lambda authorizer (REST TOKEN and
// REQUEST, HTTP API simple responses). AWS only: Netlify has no authorizers.
// template.yaml deploys it.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/strategies/authorizer"
	"github.com/fnguard/fnguard/strategies/provider"
)

func main() {
	a, log, err := provider.FromEnv(os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "authorizer: %v\n", err)
		os.Exit(1)
	}
	logger.RouteStdLog(log)
	lambda.Start(lambdahttp.WithTimeKept(authorizer.NewHandler(authorizer.New(a, authorizer.Routes(), log))))
}
