//go:build !lambda.norpc

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/fnguard/fnguard/auth/devissuer"
)

// usage is the answer to --help.
func usage(w io.Writer) {
	fmt.Fprint(w, `fnguard: the guide's flagship API, every function and the page, on a local
server that stands in for Netlify (or, in Lambda, the flagship alone).

Usage:
  go run .                        serve on http://127.0.0.1:8080 (PORT, HOST)
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  go run . %-22s %s\n", c.name+" [flags]", c.summary)
	}
	fmt.Fprint(w, `  go run . <command> --help       the command's flags
  go run . --help                 this text

Personas (--role), the users the development issuer signs tokens for:
`)
	for _, p := range devissuer.Personas {
		roles := strings.Join(p.Roles, ", ")
		if roles == "" {
			roles = "no role"
		}
		fmt.Fprintf(w, "  %-6s %s (%s)\n", p.Name, p.Subject, roles)
	}
	fmt.Fprint(w, `
Configuration is read from environment variables: every one is listed in
README.md, section "Configuration". Without AUTH0_DOMAIN or AUTH_ISSUER_URL
the development issuer runs, and the token commands work.
`)
}
