// Command api is the flagship as a Netlify (or AWS Lambda) function: the
// same router as `go run .`, built from the same configuration by package
// flagship. netlify.toml's /api/* rewrite and the direct
// /.netlify/functions/api/* both reach it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fnguard/fnguard/flagship"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := flagship.Run(ctx, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "api: %v\n", err)
		os.Exit(1)
	}
}
