// Command reports is the target of single-use tokens, as a Netlify (or AWS
// Lambda) function. See package strategies/singleuse.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fnguard/fnguard/strategies/singleuse"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := singleuse.Run(ctx, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "reports: %v\n", err)
		os.Exit(1)
	}
}
