// Package config reads the service's environment once, into a typed Config,
// and refuses to start with a message naming the variable at fault.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/issuerurl"
	"github.com/fnguard/fnguard/logger"
)

// Config is the whole configuration of the flagship.
type Config struct {
	InLambda bool // AWS_LAMBDA_RUNTIME_API is set: serve Lambda invocations
	// NetlifyDev is NETLIFY_DEV=true in Lambda, which `netlify dev` sets
	// for the functions it runs. Its Go runtime drops isBase64Encoded from
	// their answers, so the flagship sends no compressed (binary) bodies
	// there, and its nf_jwt secret is netlify.toml's published [dev] one.
	NetlifyDev bool

	Host string // HOST: interface of the local server
	Port int    // PORT: port of the local server

	// BasePaths are the prefixes the API is mounted under (BASE_PATH).
	BasePaths []string

	// Issuer is the exact "iss" tokens must carry, from AUTH0_DOMAIN or
	// AUTH_ISSUER_URL. Empty means the development issuer runs (DevIssuer).
	Issuer     string
	JWKSURL    string   // AUTH_JWKS_URL: skip OIDC discovery
	Audiences  []string // AUTH0_AUDIENCE, comma-separated
	Algorithm  string   // AUTH_ALGORITHM
	RolesClaim string   // AUTH_ROLES_CLAIM
	ClockSkew  time.Duration
	// JWKSMinRefresh is the least time between two JWKS fetches.
	JWKSMinRefresh time.Duration
	// TokenCacheSize bounds the cache of verified tokens
	// (AUTH_TOKEN_CACHE_SIZE); 0 turns it off.
	TokenCacheSize int
	// TokenCacheTTL caps how long a verified token is trusted without a
	// new signature check (AUTH_TOKEN_CACHE_TTL).
	TokenCacheTTL time.Duration

	CORSOrigins []string // CORS_ALLOWED_ORIGINS

	// SPAClientID is the single-page app's OAuth client ID
	// (AUTH0_CLIENT_ID); DevClientID with the development issuer.
	SPAClientID string

	LogLevel  slog.Level
	LogFormat string // "json" in Lambda, "text" otherwise

	// DevIssuer is true when no issuer is configured and we are not in
	// Lambda: the local server then runs the embedded development issuer.
	DevIssuer  bool
	DevKeyFile string // DEV_ISSUER_KEY_FILE
	// DevAccessTTL and DevRefreshTTL are the lifetimes of the development
	// issuer's sign-in tokens (DEV_ISSUER_ACCESS_TTL, DEV_ISSUER_REFRESH_TTL;
	// zero: the issuer's defaults, 30m and 8h). Short ones let a test, or
	// a person, watch the page renew its session.
	DevAccessTTL  time.Duration
	DevRefreshTTL time.Duration

	OneTime OneTime // single-use tokens: ONETIME_TTL, ONETIME_SIGNING_KEY, REDIS_URL
	Netlify Netlify // NETLIFY_JWT_SECRET, NETLIFY_ROLES_PATH, NETLIFY_TOML
}

// Development defaults.
const (
	DevAudience     = "https://api.fnguard.dev"
	DevIssuerPath   = "/dev-issuer/"
	DevClientID     = "fnguard-spa"
	defaultPort     = 8080
	LocalBasePath   = "/api"
	NetlifyBasePath = "/.netlify/functions/api"
)

// Load parses the environment read through getenv.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	fail := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	c := Config{
		InLambda:   getenv("AWS_LAMBDA_RUNTIME_API") != "",
		Host:       getenv("HOST"),
		Port:       defaultPort,
		Algorithm:  or(getenv("AUTH_ALGORITHM"), "RS256"),
		RolesClaim: or(getenv("AUTH_ROLES_CLAIM"), auth.DefaultRolesClaim),
		ClockSkew:  30 * time.Second,

		JWKSMinRefresh: 5 * time.Second,
		TokenCacheSize: auth.DefaultCacheSize,
		TokenCacheTTL:  auth.DefaultCacheTTL,
		JWKSURL:        getenv("AUTH_JWKS_URL"),
	}

	exposeDevIssuer, err := Bool(getenv, "DEV_ISSUER_EXPOSE")
	if err != nil {
		errs = append(errs, err)
	}
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			fail("PORT", "%q is not a port number", v)
		}
		c.Port = p
	}

	if c.InLambda {
		c.BasePaths = []string{NetlifyBasePath, LocalBasePath}
		c.LogFormat = "json"
	} else {
		c.BasePaths = []string{LocalBasePath}
		c.LogFormat = "text"
	}
	if v := getenv("BASE_PATH"); v != "" {
		c.BasePaths = nil
		for _, p := range list(v) {
			if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.ContainsAny(p, "{}*") {
				fail("BASE_PATH", "%q must start with / and not end with one", p)
			}
			c.BasePaths = append(c.BasePaths, p)
		}
	}
	if v := getenv("LOG_FORMAT"); v != "" {
		if v != "json" && v != "text" {
			fail("LOG_FORMAT", "%q: want json or text", v)
		}
		c.LogFormat = v
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		l, err := logger.ParseLevel(v)
		if err != nil {
			fail("LOG_LEVEL", "%v", err)
		}
		c.LogLevel = l
	}

	domain, issuerURL := getenv("AUTH0_DOMAIN"), getenv("AUTH_ISSUER_URL")
	switch {
	case domain != "" && issuerURL != "":
		fail("AUTH0_DOMAIN", "set AUTH0_DOMAIN or AUTH_ISSUER_URL, not both")
	case domain != "":
		if strings.Contains(domain, "/") || strings.Contains(domain, ":") {
			fail("AUTH0_DOMAIN", "%q: give the bare domain, like tenant.eu.auth0.com", domain)
		} else if err := checkHostName(domain); err != nil {
			fail("AUTH0_DOMAIN", "%v", err)
		}
		// Host names are case-insensitive; Auth0 signs iss in lower case.
		c.Issuer = "https://" + strings.ToLower(domain) + "/"
	case issuerURL != "":
		if err := issuerurl.Check(issuerURL); err != nil {
			fail("AUTH_ISSUER_URL", "%v", err)
		}
		c.Issuer = issuerURL
	}
	if c.JWKSURL != "" {
		if err := issuerurl.Check(c.JWKSURL); err != nil {
			fail("AUTH_JWKS_URL", "%v", err)
		}
	}
	c.Audiences = list(getenv("AUTH0_AUDIENCE"))
	c.SPAClientID = getenv("AUTH0_CLIENT_ID")

	switch {
	case c.Issuer != "":
		if len(c.Audiences) == 0 {
			fail("AUTH0_AUDIENCE", "required when an issuer is configured (the API identifier in Auth0)")
		}
	case c.InLambda:
		// The development issuer must never run where real users are.
		fail("AUTH0_DOMAIN", "AUTH0_DOMAIN or AUTH_ISSUER_URL is required in Lambda")
	default:
		c.DevIssuer = true
		if len(c.Audiences) == 0 {
			c.Audiences = []string{DevAudience}
		}
		switch {
		case c.Host == "":
			// The development issuer hands out admin tokens to anyone who
			// asks: keep it off the network.
			c.Host = "127.0.0.1"
		case !issuerurl.IsLoopbackHost(c.Host) && !exposeDevIssuer:
			// HOST=0.0.0.0 is a common default of hosting templates; with
			// a forgotten AUTH0_DOMAIN it would serve admin tokens to the
			// network. Make that an explicit choice.
			fail("HOST", "%q would expose the development issuer, which signs admin tokens for anyone, beyond this machine; configure AUTH0_DOMAIN or AUTH_ISSUER_URL, or set DEV_ISSUER_EXPOSE=true to accept that (development only)", c.Host)
		}
		c.DevKeyFile = getenv("DEV_ISSUER_KEY_FILE")
		if c.DevKeyFile == "" {
			c.DevKeyFile = defaultDevKeyFile()
		}
		if c.SPAClientID == "" {
			c.SPAClientID = DevClientID
		}
		c.DevAccessTTL = devTTL(getenv, "DEV_ISSUER_ACCESS_TTL", 24*time.Hour, fail)
		c.DevRefreshTTL = devTTL(getenv, "DEV_ISSUER_REFRESH_TTL", 24*time.Hour, fail)
	}
	if strings.HasPrefix(c.Algorithm, "HS") || c.Algorithm == "none" {
		fail("AUTH_ALGORITHM", "%q: only asymmetric algorithms (RS256, PS256, ES256...) verify against a JWKS", c.Algorithm)
	}

	if v := getenv("AUTH_CLOCK_SKEW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 5*time.Minute {
			fail("AUTH_CLOCK_SKEW", "%q: want a duration between 0s and 5m", v)
		}
		c.ClockSkew = d
	}
	if v := getenv("JWKS_MIN_REFRESH_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			// Every unknown kid may trigger a fetch once per interval: with
			// no floor, anonymous requests would each cost a JWKS fetch.
			fail("JWKS_MIN_REFRESH_INTERVAL", "%q: want a duration of at least 1s, like 5s", v)
		}
		c.JWKSMinRefresh = d
	}
	if v := getenv("AUTH_TOKEN_CACHE_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10_000_000 {
			fail("AUTH_TOKEN_CACHE_SIZE", "%q: want a number of tokens from 0 (off) to 10000000", v)
		}
		c.TokenCacheSize = n
	}
	if v := getenv("AUTH_TOKEN_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			fail("AUTH_TOKEN_CACHE_TTL", "%q: want a duration between 1s and 1h", v)
		}
		c.TokenCacheTTL = d
	}

	c.CORSOrigins = list(getenv("CORS_ALLOWED_ORIGINS"))
	if len(c.CORSOrigins) == 0 && c.DevIssuer {
		c.CORSOrigins = []string{"http://localhost:5173", "http://127.0.0.1:5173"}
	}
	for _, o := range c.CORSOrigins {
		switch {
		case o == "*" && len(c.CORSOrigins) > 1:
			fail("CORS_ALLOWED_ORIGINS", "* allows every origin: give it alone or not at all")
		case o == "*":
			// Safe because the API sends no Access-Control-Allow-Credentials:
			// a page elsewhere can call it only with a token it already has.
		default:
			if err := checkOrigin(o); err != nil {
				fail("CORS_ALLOWED_ORIGINS", "%v", err)
			}
		}
	}
	c.OneTime = loadOneTime(getenv, c.InLambda, fail)
	if c.OneTime.SigningKey != nil && c.OneTime.RedisURL == "" && !c.DevIssuer && !c.InLambda {
		// Instances sharing the key accept each other's tokens; each with
		// its own in-memory record of used ones would accept a token once
		// per instance. (In Lambda the target function needs Redis.)
		fail("REDIS_URL", "required with ONETIME_SIGNING_KEY outside the development setup: instances sharing the key would each accept a single-use token once; set REDIS_URL, or unset ONETIME_SIGNING_KEY to let each instance sign with its own key")
	}
	// Under `netlify dev` the functions verify nf_jwt with the [dev]
	// secret, as its proxy does; every function reads this configuration,
	// so the published secret is accepted there as by LoadFunction.
	netlifyDev, err := Bool(getenv, "NETLIFY_DEV")
	if err != nil {
		errs = append(errs, err)
	}
	c.NetlifyDev = c.InLambda && netlifyDev
	c.Netlify = loadNetlify(getenv, c.DevIssuer || c.NetlifyDev, fail)
	return c, errors.Join(errs...)
}

func devTTL(getenv func(string) string, name string, most time.Duration, fail func(name, format string, args ...any)) time.Duration {
	v := getenv(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second || d > most {
		fail(name, "%q: want a duration between 1s and %s, like 30m", v, most)
	}
	return d
}

// IssuerURLFor is the development issuer's URL when the local server
// listens on port.
func IssuerURLFor(port int) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", port, DevIssuerPath)
}

func defaultDevKeyFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "fnguard", "dev-issuer-key.pem")
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
