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
	"github.com/fnguard/fnguard/netlifydev"
)

// runToken prints a development access token for a persona, signed with the
// development issuer's key, for the server started with the same PORT.
func runToken(args []string, cfg config.Config, stdout io.Writer) error {
	persona, ttl, err := parsePersona("token", "Prints an access token of the development issuer for the local server on the\nsame PORT, for an Authorization: Bearer header.", args, stdout)
	if err != nil {
		return err
	}
	if !cfg.DevIssuer {
		return errors.New("token: development tokens only exist when no issuer is configured; get tokens from your issuer (Auth0)")
	}
	dev, err := netlifydev.NewDevIssuer(cfg, cfg.Port)
	if err != nil {
		return err
	}
	tok, err := dev.Mint(persona, ttl)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// runNetlifyToken prints a development Netlify Identity token for a
// persona, signed with the same local secret `go run .` verifies nf_jwt
// with: send it as the nf_jwt cookie to try the role rules.
func runNetlifyToken(args []string, cfg config.Config, stdout io.Writer) error {
	persona, ttl, err := parsePersona("netlify-token", "Prints a Netlify Identity token signed with the secret the local server\nchecks nf_jwt with (NETLIFY_JWT_SECRET, else netlify.toml's [dev] jwtSecret),\nfor the nf_jwt cookie of the role rules (or, with AUTH_PROVIDER=netlify, a\nfunction's Authorization: Bearer header).", args, stdout)
	if err != nil {
		return err
	}
	if cfg.InLambda || !cfg.DevIssuer {
		return errors.New("netlify-token: development tokens only exist on the local development setup")
	}
	secret, rolesPath, err := netlifydev.IdentitySecret(cfg)
	if err != nil {
		return fmt.Errorf("netlify-token: %w", err)
	}
	tok, err := netlifydev.SignIdentityToken(secret, rolesPath, persona.Subject, persona.Roles, ttl)
	if err != nil {
		return fmt.Errorf("netlify-token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// parsePersona reads the token commands' flags: --role and --ttl.
func parsePersona(command, what string, args []string, stdout io.Writer) (devissuer.Persona, time.Duration, error) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: go run . %s [--role free|paid|admin] [--ttl 1h]\n\n%s\n\nFlags:\n", command, what)
		fs.PrintDefaults()
	}
	role := fs.String("role", "free", "persona: free, paid or admin")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return devissuer.Persona{}, 0, err
	}
	if *ttl <= 0 || *ttl > 24*time.Hour {
		return devissuer.Persona{}, 0, fmt.Errorf("%s: -ttl %s: want a duration up to 24h", command, *ttl)
	}
	persona, err := devissuer.LookupPersona(*role)
	if err != nil {
		return devissuer.Persona{}, 0, fmt.Errorf("%s: %w", command, err)
	}
	return persona, *ttl, nil
}
