//go:build !lambda.norpc

package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/strategies/provider"
)

// startup is what the server says when it starts.
type startup struct {
	cfg      config.Config
	addr     *net.TCPAddr // what the listener is bound to
	issuer   string       // the issuer whose tokens are accepted
	provider string       // AUTH_PROVIDER
}

// print says how to try the server and where it listens; its last line is
// "fnguard listening on http://...", which whoever waits for the server
// reads.
func (s startup) print(w io.Writer) {
	// A browser on this machine reaches every interface through loopback.
	local := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(s.addr.Port))
	if !s.addr.IP.IsUnspecified() {
		local = "http://" + s.addr.String()
	}
	if s.cfg.DevIssuer {
		s.printDevHelp(w, local)
	}
	apis := strings.Join(s.cfg.BasePaths, ", ")
	if s.addr.IP.IsUnspecified() {
		fmt.Fprintf(w, "fnguard listening on http://%s, every interface (from this machine: %s; API under %s)\n", s.addr, local, apis)
		return
	}
	fmt.Fprintf(w, "fnguard listening on %s (API under %s)\n", local, apis)
}

func (s startup) printDevHelp(w io.Writer, base string) {
	api := base + s.cfg.BasePaths[0]
	portEnv := ""
	if s.addr.Port != 8080 {
		// The port bound, not PORT: with PORT=0 the system picked it.
		portEnv = fmt.Sprintf("PORT=%d ", s.addr.Port)
	}
	fmt.Fprintf(w, `
Development issuer at %s (no Auth0 account needed; never used in Lambda).
Open the app at %s/ and sign in as a persona (free, paid or admin),
or get a token for one in another terminal:

  TOKEN=$(%sgo run . token --role admin)
  curl -H "Authorization: Bearer $TOKEN" %s/admin

Routes: %[4]s/health  %[4]s/public  %[4]s/me  %[4]s/paid  %[4]s/admin
`, s.issuer, base, portEnv, api)
	if portEnv != "" {
		fmt.Fprintf(w, `
A token names its issuer, %s, port included: one minted for
another PORT is refused here as from an unknown issuer, so run the token
command with %s as above.
`, s.issuer, strings.TrimSpace(portEnv))
	}
	if s.provider == provider.Netlify {
		fmt.Fprintf(w, `
AUTH_PROVIDER=netlify: the functions take Netlify Identity tokens instead,
signed with the local Identity secret (give the command the same
NETLIFY_JWT_SECRET as the server):

  NF=$(go run . netlify-token --role admin)
  curl -H "Authorization: Bearer $NF" %s/.netlify/functions/inline/admin
`, base)
	}
	fmt.Fprintln(w)
}
