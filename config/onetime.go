package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/issuerurl"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/replay"
)

// OneTime configures single-use tokens on the flagship, which issues them
// and serves the target function locally.
type OneTime struct {
	// TTL is the lifetime of a token (ONETIME_TTL, default 60s, at most 5m).
	TTL time.Duration
	// SigningKey is ONETIME_SIGNING_KEY (PEM, ECDSA P-256). Nil in
	// development, where serve generates one; never generated in Lambda.
	SigningKey *onetime.Key
	// Enabled is false in Lambda without a SigningKey: the service then
	// issues no single-use tokens.
	Enabled bool
	// RedisURL is REDIS_URL: the shared replay store. Empty: in memory.
	RedisURL string
}

// Function is the configuration of the functions deployed beside the
// flagship (the "reports" target of single-use tokens and the functions
// behind Netlify role rules). It holds only what they read, so none of
// them needs the flagship's issuer or signing key.
type Function struct {
	InLambda  bool
	LogLevel  slog.Level
	LogFormat string
	// OneTimeJWKSURL is ONETIME_JWKS_URL: the flagship's
	// {base}/.well-known/jwks.json, where the target fetches the key that
	// signs single-use tokens. Required in Lambda.
	OneTimeJWKSURL string
	// RedisURL is REDIS_URL. Required in Lambda for the target: an
	// in-memory store sees one instance, and a token replayed against
	// another instance would be accepted.
	RedisURL string
	Netlify  Netlify
}

// Netlify configures Netlify Identity checks: the functions behind role
// rules and, locally, the proxy that enforces netlify.toml's rules.
type Netlify struct {
	// JWTSecret is NETLIFY_JWT_SECRET, the site's Identity JWT secret
	// (HS256). Required in Lambda: without it a function could only trust
	// the client context blindly.
	JWTSecret []byte
	// RolesPath is NETLIFY_ROLES_PATH (default app_metadata.roles).
	RolesPath string
	// TOMLPath is NETLIFY_TOML: the file whose role rules the local server
	// enforces (default netlify.toml in the working directory).
	TOMLPath string
}

func loadOneTime(getenv func(string) string, inLambda bool, fail func(name, format string, args ...any)) OneTime {
	o := OneTime{TTL: onetime.DefaultTTL, RedisURL: getenv("REDIS_URL")}
	if v := getenv("ONETIME_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > onetime.MaxTTL {
			fail("ONETIME_TTL", "%q: want a duration above 0s and at most %s, like 60s", v, onetime.MaxTTL)
		}
		o.TTL = d
	}
	switch v := getenv("ONETIME_SIGNING_KEY"); {
	case v != "":
		key, err := onetime.ParseKey([]byte(pemFromEnv(v)))
		if err != nil {
			fail("ONETIME_SIGNING_KEY", "%v (generate one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)", err)
		}
		o.SigningKey = key
	}
	// In Lambda, no key means no single-use tokens (POST /tokens answers
	// 503), never a generated key: each instance would sign with its own,
	// and the JWKS served by one would not verify the tokens of another.
	o.Enabled = o.SigningKey != nil || !inLambda
	checkRedisURL(o.RedisURL, fail)
	return o
}

// LoadFunction parses the environment of a function deployed beside the
// flagship. needs names what that function cannot run without in Lambda:
// "onetime" (JWKS URL and Redis) and/or "netlify" (the Identity secret).
func LoadFunction(getenv func(string) string, needs ...string) (Function, error) {
	var errs []error
	fail := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	f := Function{
		InLambda:       getenv("AWS_LAMBDA_RUNTIME_API") != "",
		LogFormat:      "text",
		OneTimeJWKSURL: getenv("ONETIME_JWKS_URL"),
		RedisURL:       getenv("REDIS_URL"),
	}
	// `netlify dev` runs functions through a local Lambda runtime, so they
	// see AWS_LAMBDA_RUNTIME_API, and sets NETLIFY_DEV=true; its proxy
	// verifies nf_jwt with the [dev] secret, and the functions must too.
	netlifyDev, err := Bool(getenv, "NETLIFY_DEV")
	if err != nil {
		errs = append(errs, err)
	}
	f.Netlify = loadNetlify(getenv, !f.InLambda || netlifyDev, fail)
	if f.InLambda {
		f.LogFormat = "json"
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		l, err := logger.ParseLevel(v)
		if err != nil {
			fail("LOG_LEVEL", "%v", err)
		}
		f.LogLevel = l
	}
	if f.OneTimeJWKSURL != "" {
		if err := issuerurl.Check(f.OneTimeJWKSURL); err != nil {
			fail("ONETIME_JWKS_URL", "%v", err)
		}
	}
	checkRedisURL(f.RedisURL, fail)
	for _, need := range needs {
		if !f.InLambda {
			break
		}
		if need == "onetime" && f.OneTimeJWKSURL == "" {
			fail("ONETIME_JWKS_URL", "required in Lambda: the flagship's {base}/.well-known/jwks.json, e.g. https://SITE/api/.well-known/jwks.json")
		}
		if need == "onetime" && f.RedisURL == "" {
			fail("REDIS_URL", "required in Lambda: an in-memory replay store sees one instance, so a token could be used once per instance")
		}
		if need == "netlify" && len(f.Netlify.JWTSecret) == 0 {
			fail("NETLIFY_JWT_SECRET", "required in Lambda: without it the Netlify client context would be trusted unverified")
		}
	}
	return f, errors.Join(errs...)
}

// loadNetlify reads the Identity settings. devSetup says the published
// [dev] secret is acceptable: the development issuer runs, or `netlify dev`
// runs the functions.
func loadNetlify(getenv func(string) string, devSetup bool, fail func(name, format string, args ...any)) Netlify {
	n := Netlify{
		RolesPath: or(getenv("NETLIFY_ROLES_PATH"), auth.DefaultNetlifyRolesPath),
		TOMLPath:  or(getenv("NETLIFY_TOML"), "netlify.toml"),
	}
	if v := getenv("NETLIFY_JWT_SECRET"); v != "" {
		if len(v) < 32 {
			fail("NETLIFY_JWT_SECRET", "%d bytes: HS256 needs a secret of at least 32 bytes (RFC 7518 §3.2)", len(v))
		}
		if v == PublishedDevJWTSecret && !devSetup {
			fail("NETLIFY_JWT_SECRET", "is netlify.toml's published [dev] jwtSecret, with which anyone can sign an admin nf_jwt; set the site's own Identity JWT secret")
		}
		n.JWTSecret = []byte(v)
	}
	for _, seg := range strings.Split(n.RolesPath, ".") {
		if seg == "" {
			fail("NETLIFY_ROLES_PATH", "%q: want a dotted path like app_metadata.roles", n.RolesPath)
			break
		}
	}
	// Identity lets every user rewrite their own user_metadata (the
	// widget's user.update({data})): roles read from there are whatever
	// the caller asked for. Only admins can write app_metadata.
	if first, _, _ := strings.Cut(n.RolesPath, "."); first == "user_metadata" {
		fail("NETLIFY_ROLES_PATH", "%q: users edit their own user_metadata, so roles there grant nothing; use app_metadata", n.RolesPath)
	}
	return n
}

func checkRedisURL(raw string, fail func(name, format string, args ...any)) {
	if raw == "" {
		return
	}
	if _, err := replay.ParseRedisURL(raw); err != nil {
		// Never echo the URL: it usually carries a password.
		fail("REDIS_URL", "%v", err)
	}
}

// pemFromEnv accepts a PEM whose newlines were written as "\n", the way
// most dashboards and .env files store multi-line values.
func pemFromEnv(v string) string {
	if !strings.Contains(v, "\n") {
		v = strings.ReplaceAll(v, `\n`, "\n")
	}
	return v
}

// PublishedDevJWTSecret is netlify.toml's [dev] jwtSecret: what `netlify
// dev` and the local server with the development issuer verify nf_jwt
// with. It is in the repository, so anyone can sign an admin token with
// it: no deployment may take it as NETLIFY_JWT_SECRET.
const PublishedDevJWTSecret = "fnguard-development-only-identity-jwt-secret"
