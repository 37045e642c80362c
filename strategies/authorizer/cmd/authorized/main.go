// Command authorized is the function behind the authorizer: it reads the
// caller from the authorizer's context and needs no provider configuration.
// template.yaml deploys it.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/strategies/authorizer"
)

func main() {
	level, _ := logger.ParseLevel(os.Getenv("LOG_LEVEL"))
	log := logger.New(os.Stderr, "json", level)
	lambda.Start(authorizer.Protected(authorizer.Routes(), log))
}
