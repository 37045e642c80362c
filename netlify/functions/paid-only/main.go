// Command paid-only is a function of the proxy-level strategy: Netlify's role
// rules in netlify.toml guard it, and it checks the caller again. See
// package strategies/proxyrole.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fnguard/fnguard/strategies/proxyrole"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := proxyrole.PaidOnly.Run(ctx, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "paid-only: %v\n", err)
		os.Exit(1)
	}
}
