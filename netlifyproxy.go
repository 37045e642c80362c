//go:build !lambda.norpc

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/proxy"
	"github.com/fnguard/fnguard/strategies/local"
	"github.com/fnguard/fnguard/strategies/proxyrole"
	"github.com/fnguard/fnguard/web"
)

// netlifyLocal is the proxy-level strategy served locally: the functions
// behind netlify.toml's role rules, and those rules, read from the file.
type netlifyLocal struct {
	functions map[string]http.Handler
	opts      proxy.Options
	// identity is the secret and roles path nf_jwt is verified with, which
	// the development token exchange signs with (netlifyexchange.go).
	identity config.Netlify
}

// newNetlifyLocal reads netlify.toml (NETLIFY_TOML) and the Identity
// settings of localNetlify. It returns nil, with a warning, when there is
// no netlify.toml or no secret: nothing is served rather than something
// unverified.
func newNetlifyLocal(cfg config.Config, log *slog.Logger) (*netlifyLocal, error) {
	data, err := os.ReadFile(cfg.Netlify.TOMLPath)
	if errors.Is(err, fs.ErrNotExist) {
		log.Warn("proxy-level strategy not served: no netlify.toml", "path", cfg.Netlify.TOMLPath)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", cfg.Netlify.TOMLPath, err)
	}
	file, rules, err := proxy.Parse(data)
	if err != nil {
		return nil, err
	}
	nc := localNetlify(cfg, file)
	if len(nc.JWTSecret) == 0 {
		log.Warn("proxy-level strategy not served: set NETLIFY_JWT_SECRET (or, with the development issuer, [dev] jwtSecret in netlify.toml)")
		return nil, nil
	}
	// With a secret, the functions never trust the client context alone.
	n, err := proxyrole.Authenticator(nc, false)
	if err != nil {
		return nil, fmt.Errorf("proxy-level strategy: %w", err)
	}
	l := &netlifyLocal{functions: map[string]http.Handler{}, identity: nc}
	for _, f := range proxyrole.All {
		// NetlifyIdentity: the function gets the client context Netlify
		// would attach, built from the caller's token.
		l.functions[f.Name] = local.Handler(f.Handler(n, log), local.Options{NetlifyIdentity: true, Log: log})
	}
	l.opts = proxy.Options{Rules: rules, Verifier: n, Functions: l.functions, Files: web.Files(), Log: log}
	return l, nil
}

// localNetlify is the Identity configuration used locally. Beside the
// development issuer, the file's [dev] table (what `netlify dev` reads)
// supplies the secret when NETLIFY_JWT_SECRET is unset, and the roles path.
// With a real issuer this is a server someone deploys, and only the
// environment counts: the [dev] secret is published with the code (anyone
// could sign an admin nf_jwt with it), and its roles path has not been
// through config's checks (one under user_metadata would let users grant
// themselves roles).
func localNetlify(cfg config.Config, file proxy.File) config.Netlify {
	nc := cfg.Netlify
	if !cfg.DevIssuer {
		return nc
	}
	if len(nc.JWTSecret) == 0 {
		nc.JWTSecret = []byte(file.Dev.JWTSecret)
	}
	if file.Dev.JWTRolePath != "" {
		nc.RolesPath = file.Dev.JWTRolePath
	}
	return nc
}

func localNetlifySecret(cfg config.Config) ([]byte, string, error) {
	data, err := os.ReadFile(cfg.Netlify.TOMLPath)
	if err != nil {
		return nil, "", err
	}
	file, _, err := proxy.Parse(data)
	if err != nil {
		return nil, "", err
	}
	nc := localNetlify(cfg, file)
	if len(nc.JWTSecret) == 0 {
		return nil, "", errors.New("set NETLIFY_JWT_SECRET or [dev] jwtSecret in netlify.toml")
	}
	return nc.JWTSecret, nc.RolesPath, nil
}

// mount serves the functions at their direct URLs, /.netlify/functions/<name>,
// where no rule stands in front of them (as on Netlify).
func (l *netlifyLocal) mount(mounts map[string]http.Handler) {
	if l == nil {
		return
	}
	for name, h := range l.functions {
		mounts["/.netlify/functions/"+name] = h
	}
}

// wrap puts the role rules in front of next.
func (l *netlifyLocal) wrap(next http.Handler) (http.Handler, error) {
	if l == nil {
		return next, nil
	}
	return proxy.New(l.opts, next)
}

// runNetlifyToken prints a development Netlify Identity token for a
// persona, signed with the same local secret `go run .` verifies nf_jwt
// with: send it as the nf_jwt cookie to try the role rules.
func runNetlifyToken(args []string, cfg config.Config, stdout io.Writer) error {
	fs := flag.NewFlagSet("netlify-token", flag.ContinueOnError)
	fs.SetOutput(stdout)
	role := fs.String("role", "free", "persona: free, paid or admin")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.InLambda || !cfg.DevIssuer {
		return errors.New("netlify-token: development tokens only exist on the local development setup")
	}
	if *ttl <= 0 || *ttl > 24*time.Hour {
		return fmt.Errorf("netlify-token: -ttl %s: want a duration up to 24h", *ttl)
	}
	persona, err := devissuer.LookupPersona(*role)
	if err != nil {
		return fmt.Errorf("netlify-token: %w", err)
	}
	secret, rolesPath, err := localNetlifySecret(cfg)
	if err != nil {
		return fmt.Errorf("netlify-token: %w", err)
	}
	tok, err := proxy.SignIdentityToken(secret, rolesPath, persona.Subject, persona.Roles, *ttl)
	if err != nil {
		return fmt.Errorf("netlify-token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
