// Command authorized is the function behind the authorizer: it reads the
// caller from the authorizer's context and needs no provider configuration.
// template.yaml deploys it.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/strategies/authorizer"
	"github.com/fnguard/fnguard/strategies/guard"
)

func main() {
	// Only LOG_LEVEL matters here, but a bad value must stop the function
	// like every other setting, not quietly mean "info".
	f, err := config.LoadFunction(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "configuration:\n%v\n", err)
		os.Exit(1)
	}
	log := logger.New(os.Stderr, "json", f.LogLevel)
	logger.RouteStdLog(log)
	lambda.Start(lambdahttp.WithTimeKept(guard.Lambda(authorizer.Protected(authorizer.Routes(), log), log)))
}
