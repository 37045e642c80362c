// Package provider chooses and builds the identity provider of a function
// from its environment, once, at start: Auth0 (bearer access tokens checked
// against the issuer's JWKS) or Netlify Identity (the client context's
// user, re-verified with the site's JWT secret).
package provider

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/logger"
)

// The values of AUTH_PROVIDER.
const (
	Auth0   = "auth0"
	Netlify = "netlify"
)

// Config is a function's provider configuration.
type Config struct {
	Provider string // AUTH_PROVIDER: auth0 (default) or netlify
	// Auth0 is the flagship's configuration (AUTH0_DOMAIN, AUTH0_AUDIENCE,
	// AUTH_ROLES_CLAIM...), read by the config package; set for auth0.
	Auth0 config.Config
	// Netlify is set for netlify: NETLIFY_JWT_SECRET and NETLIFY_ROLES_PATH
	// (read by config.LoadFunction), NETLIFY_TRUST_UNVERIFIED_CONTEXT.
	Netlify  auth.NetlifyConfig
	LogLevel slog.Level // LOG_LEVEL
}

// Load reads the environment through getenv and validates it, naming the
// variable at fault.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	fail := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	c := Config{Provider: strings.ToLower(strings.TrimSpace(getenv("AUTH_PROVIDER")))}
	if c.Provider == "" {
		c.Provider = Auth0
	}
	switch c.Provider {
	case Auth0:
		var err error
		if c.Auth0, err = config.Load(getenv); err != nil {
			errs = append(errs, err)
		}
		c.LogLevel = c.Auth0.LogLevel
	case Netlify:
		// The secret and the roles path are read by the config package,
		// as for every function beside the flagship.
		f, err := config.LoadFunction(getenv)
		if err != nil {
			errs = append(errs, err)
		}
		c.LogLevel = f.LogLevel
		c.Netlify = auth.NetlifyConfig{
			Secret:    f.Netlify.JWTSecret,
			RolesPath: f.Netlify.RolesPath,
			ClockSkew: 30 * time.Second,
		}
		trust, err := config.Bool(getenv, "NETLIFY_TRUST_UNVERIFIED_CONTEXT")
		if err != nil {
			errs = append(errs, err)
		}
		c.Netlify.TrustUnverifiedContext = trust
		switch {
		case c.Netlify.TrustUnverifiedContext && f.InLambda:
			// Deployed, the flag would let anyone who can reach the
			// function past a misconfigured proxy rule. No escape hatch
			// (such as NETLIFY_DEV): a site variable set by mistake must
			// not be able to turn verification off. Under `netlify dev`,
			// give the functions NETLIFY_JWT_SECRET (the [dev] jwtSecret).
			fail("NETLIFY_TRUST_UNVERIFIED_CONTEXT", "is for local development only; deployed functions verify tokens with NETLIFY_JWT_SECRET")
		case len(c.Netlify.Secret) == 0 && !c.Netlify.TrustUnverifiedContext:
			fail("NETLIFY_JWT_SECRET", "required with AUTH_PROVIDER=netlify: without the site's Identity JWT secret the client context cannot be verified (for local development only, NETLIFY_TRUST_UNVERIFIED_CONTEXT=true trusts it as is)")
		}
	default:
		fail("AUTH_PROVIDER", "%q: want auth0 or netlify", c.Provider)
	}
	return c, errors.Join(errs...)
}

// Authenticator builds the configured provider. For auth0 it needs the
// issuer to be configured (in Lambda it always is; see config.Load).
func (c Config) Authenticator(log *slog.Logger) (auth.Authenticator, error) {
	switch c.Provider {
	case Netlify:
		return auth.NewNetlify(c.Netlify)
	case Auth0:
		if c.Auth0.Issuer == "" {
			return nil, errors.New("AUTH0_DOMAIN: no issuer configured (set AUTH0_DOMAIN or AUTH_ISSUER_URL)")
		}
		v, err := c.Auth0.Verifier(c.Auth0.Issuer, log)
		if err != nil {
			return nil, err
		}
		return auth.Bearer(v), nil
	}
	return nil, fmt.Errorf("AUTH_PROVIDER: %q: want auth0 or netlify", c.Provider)
}

// FromEnv is what a function's main does first: read the environment, and
// return the logger (JSON, for the platform's log pipeline) and the
// provider, or the reason the function must not start.
func FromEnv(getenv func(string) string, stderr io.Writer) (auth.Authenticator, *slog.Logger, error) {
	c, err := Load(getenv)
	if err != nil {
		return nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	log := logger.New(stderr, "json", c.LogLevel)
	a, err := c.Authenticator(log)
	if err != nil {
		return nil, nil, err
	}
	return a, log, nil
}
