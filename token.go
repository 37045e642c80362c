//go:build !lambda.norpc

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
)

// runToken prints a development access token for a persona, signed with the
// development issuer's key, for the server started with the same PORT.
func runToken(args []string, cfg config.Config, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stdout)
	role := fs.String("role", "free", "persona: free, paid or admin")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !cfg.DevIssuer {
		return errors.New("token: development tokens only exist when no issuer is configured; get tokens from your issuer (Auth0)")
	}
	if *ttl <= 0 || *ttl > 24*time.Hour {
		return fmt.Errorf("token: -ttl %s: want a duration up to 24h", *ttl)
	}
	persona, err := devissuer.LookupPersona(*role)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	dev, err := newDevIssuer(cfg, cfg.Port)
	if err != nil {
		return err
	}
	tok, err := dev.Mint(persona, *ttl)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
