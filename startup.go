//go:build !lambda.norpc

package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/fnguard/fnguard/config"
)

// printStartup says where the server listens and, beside the development
// issuer, how to get a token. Its last line is "fnguard listening on ...".
func printStartup(w io.Writer, cfg config.Config, port int, issuer string) {
	base := fmt.Sprintf("http://%s", net.JoinHostPort(displayHost(cfg.Host), strconv.Itoa(port)))
	if cfg.DevIssuer {
		printDevHelp(w, base, cfg, issuer)
	}
	fmt.Fprintf(w, "fnguard listening on %s (API under %s)\n", base, strings.Join(cfg.BasePaths, ", "))
}

func displayHost(host string) string {
	if host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1"
	}
	return host
}

func printDevHelp(w io.Writer, base string, cfg config.Config, issuer string) {
	api := base + cfg.BasePaths[0]
	portEnv := ""
	if cfg.Port != 8080 {
		portEnv = fmt.Sprintf("PORT=%d ", cfg.Port)
	}
	fmt.Fprintf(w, `
Development issuer at %s (no Auth0 account needed; never used in Lambda).
Open the app at %[4]s/ and sign in as a persona (free, paid or admin),
or get a token for one in another terminal:

  TOKEN=$(%[2]sgo run . token --role admin)
  curl -H "Authorization: Bearer $TOKEN" %[3]s/admin

Routes: %[3]s/health  %[3]s/public  %[3]s/me  %[3]s/paid  %[3]s/admin

`, issuer, portEnv, api, base)
}
