package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		env   func(string) string
		check func(t *testing.T, c Config)
	}{
		{"no issuer locally runs the development issuer on loopback", env(), func(t *testing.T, c Config) {
			if !c.DevIssuer || c.Issuer != "" || c.Host != "127.0.0.1" || c.Port != 8080 {
				t.Errorf("%+v", c)
			}
			if !reflect.DeepEqual(c.BasePaths, []string{"/api"}) || c.LogFormat != "text" {
				t.Errorf("base %v, log %s", c.BasePaths, c.LogFormat)
			}
			if !reflect.DeepEqual(c.Audiences, []string{DevAudience}) || c.DevKeyFile == "" {
				t.Errorf("audiences %v key %q", c.Audiences, c.DevKeyFile)
			}
		}},
		{"an Auth0 domain becomes the issuer URL and turns the dev issuer off",
			env("AUTH0_DOMAIN", "tenant.eu.auth0.com", "AUTH0_AUDIENCE", "https://api.example.com"), func(t *testing.T, c Config) {
				if c.DevIssuer || c.Issuer != "https://tenant.eu.auth0.com/" || c.Host != "" {
					t.Errorf("%+v", c)
				}
			}},
		{"any OIDC issuer URL is used verbatim",
			env("AUTH_ISSUER_URL", "https://id.example.com/realms/x", "AUTH0_AUDIENCE", "a, b ,c"), func(t *testing.T, c Config) {
				if c.DevIssuer || c.Issuer != "https://id.example.com/realms/x" || !reflect.DeepEqual(c.Audiences, []string{"a", "b", "c"}) {
					t.Errorf("%+v", c)
				}
			}},
		{"in Lambda both base paths route and logs are JSON",
			env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001", "AUTH0_DOMAIN", "t.auth0.com", "AUTH0_AUDIENCE", "x"), func(t *testing.T, c Config) {
				if !c.InLambda || c.DevIssuer || c.LogFormat != "json" ||
					!reflect.DeepEqual(c.BasePaths, []string{"/.netlify/functions/api", "/api"}) {
					t.Errorf("%+v", c)
				}
			}},
		{"the development issuer may be exposed on purpose", env("HOST", "0.0.0.0", "DEV_ISSUER_EXPOSE", "true"), func(t *testing.T, c Config) {
			if !c.DevIssuer || c.Host != "0.0.0.0" {
				t.Errorf("%+v", c)
			}
		}},
		{"a real issuer listens on any interface without an opt-in",
			env("HOST", "0.0.0.0", "AUTH0_DOMAIN", "t.auth0.com", "AUTH0_AUDIENCE", "x"), func(t *testing.T, c Config) {
				if c.DevIssuer || c.Host != "0.0.0.0" {
					t.Errorf("%+v", c)
				}
			}},
		{"BASE_PATH overrides", env("BASE_PATH", "/v1, /v2"), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.BasePaths, []string{"/v1", "/v2"}) {
				t.Errorf("%v", c.BasePaths)
			}
		}},
		{"a lone * allows every origin, never with credentials", env("CORS_ALLOWED_ORIGINS", "*"), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.CORSOrigins, []string{"*"}) {
				t.Errorf("%v", c.CORSOrigins)
			}
		}},
		{"origins with ports and IPv6 hosts are accepted", env("CORS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:5173, http://[::1]:8080"), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.CORSOrigins, []string{"https://app.example.com", "http://localhost:5173", "http://[::1]:8080"}) {
				t.Errorf("%v", c.CORSOrigins)
			}
		}},
		{"a JWKS refresh interval of one second is the floor", env("JWKS_MIN_REFRESH_INTERVAL", "1s"), func(t *testing.T, c Config) {
			if c.JWKSMinRefresh != time.Second {
				t.Errorf("%v", c.JWKSMinRefresh)
			}
		}},
		{"the development issuer's token lifetimes can be shortened", env("DEV_ISSUER_ACCESS_TTL", "3s", "DEV_ISSUER_REFRESH_TTL", "1m"), func(t *testing.T, c Config) {
			if c.DevAccessTTL != 3*time.Second || c.DevRefreshTTL != time.Minute {
				t.Errorf("access %s refresh %s", c.DevAccessTTL, c.DevRefreshTTL)
			}
		}},
		{"DEV_ISSUER_EXPOSE=false keeps the loopback default", env("DEV_ISSUER_EXPOSE", "false"), func(t *testing.T, c Config) {
			if c.Host != "127.0.0.1" {
				t.Errorf("%+v", c)
			}
		}},
		{"an Auth0 custom domain in upper case is the lower-case issuer Auth0 signs", env("AUTH0_DOMAIN", "Login.Example.COM", "AUTH0_AUDIENCE", "x"), func(t *testing.T, c Config) {
			if c.Issuer != "https://login.example.com/" {
				t.Errorf("%q", c.Issuer)
			}
		}},
		{"clock skew, roles claim and log level are read", env("AUTH_CLOCK_SKEW", "5s", "AUTH_ROLES_CLAIM", "roles", "LOG_LEVEL", "debug"), func(t *testing.T, c Config) {
			if c.ClockSkew != 5*time.Second || c.RolesClaim != "roles" || c.LogLevel.String() != "DEBUG" {
				t.Errorf("%+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		env     func(string) string
		mention string
	}{
		{"the development issuer can never start in Lambda", env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"), "AUTH0_DOMAIN"},
		{"two issuers are ambiguous", env("AUTH0_DOMAIN", "a.auth0.com", "AUTH_ISSUER_URL", "https://b/", "AUTH0_AUDIENCE", "x"), "not both"},
		{"an issuer needs an audience", env("AUTH0_DOMAIN", "a.auth0.com"), "AUTH0_AUDIENCE"},
		{"plain http issuer off loopback", env("AUTH_ISSUER_URL", "http://id.example.com/", "AUTH0_AUDIENCE", "x"), "AUTH_ISSUER_URL"},
		{"domain with a scheme", env("AUTH0_DOMAIN", "https://a.auth0.com", "AUTH0_AUDIENCE", "x"), "bare domain"},
		{"symmetric algorithm", env("AUTH_ALGORITHM", "HS256"), "AUTH_ALGORITHM"},
		{"the development issuer does not listen beyond loopback by accident", env("HOST", "0.0.0.0"), "DEV_ISSUER_EXPOSE"},
		{"bad port", env("PORT", "http"), "PORT"},
		{"bad clock skew", env("AUTH_CLOCK_SKEW", "1h"), "AUTH_CLOCK_SKEW"},
		{"bad log level", env("LOG_LEVEL", "loud"), "LOG_LEVEL"},
		{"bad base path", env("BASE_PATH", "api/"), "BASE_PATH"},
		{"bad CORS origin", env("CORS_ALLOWED_ORIGINS", "example.com"), "CORS_ALLOWED_ORIGINS"},
		{"a JWKS refresh interval of 0 would let unknown kids refetch on every request", env("JWKS_MIN_REFRESH_INTERVAL", "0"), "JWKS_MIN_REFRESH_INTERVAL"},
		{"a JWKS refresh interval under a second is refused", env("JWKS_MIN_REFRESH_INTERVAL", "999ms"), "JWKS_MIN_REFRESH_INTERVAL"},
		{"a CORS origin with a wildcard inside the host is refused", env("CORS_ALLOWED_ORIGINS", "https://*example.com"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with a wildcard subdomain is refused", env("CORS_ALLOWED_ORIGINS", "https://*.example.com"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin that is only a scheme and a wildcard is refused", env("CORS_ALLOWED_ORIGINS", "https://*"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with a trailing slash never matches and is refused", env("CORS_ALLOWED_ORIGINS", "https://app.example.com/"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with a path is refused", env("CORS_ALLOWED_ORIGINS", "https://app.example.com/spa"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with a query is refused", env("CORS_ALLOWED_ORIGINS", "https://app.example.com?x=1"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with user info is refused", env("CORS_ALLOWED_ORIGINS", "https://u@app.example.com"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with the scheme's default port never matches and is refused", env("CORS_ALLOWED_ORIGINS", "https://app.example.com:443"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin in upper case never matches and is refused", env("CORS_ALLOWED_ORIGINS", "https://App.example.com"), "CORS_ALLOWED_ORIGINS"},
		{"a CORS origin with another scheme is refused", env("CORS_ALLOWED_ORIGINS", "ftp://app.example.com"), "CORS_ALLOWED_ORIGINS"},
		{"the CORS wildcard mixed with origins is refused", env("CORS_ALLOWED_ORIGINS", "*, https://app.example.com"), "CORS_ALLOWED_ORIGINS"},
		{"an AUTH0_DOMAIN with spaces is refused", env("AUTH0_DOMAIN", "not a domain", "AUTH0_AUDIENCE", "x"), "AUTH0_DOMAIN"},
		{"an AUTH0_DOMAIN with a path-free but invalid label is refused", env("AUTH0_DOMAIN", "-tenant.auth0.com", "AUTH0_AUDIENCE", "x"), "AUTH0_DOMAIN"},
		{"an AUTH0_DOMAIN with an empty label is refused", env("AUTH0_DOMAIN", "tenant..auth0.com", "AUTH0_AUDIENCE", "x"), "AUTH0_DOMAIN"},
		{"an AUTH0_DOMAIN with a query is refused", env("AUTH0_DOMAIN", "tenant.auth0.com?x", "AUTH0_AUDIENCE", "x"), "AUTH0_DOMAIN"},
		{"an AUTH0_DOMAIN that is an IP address is refused", env("AUTH0_DOMAIN", "10.0.0.1", "AUTH0_AUDIENCE", "x"), "AUTH0_DOMAIN"},
		{"DEV_ISSUER_EXPOSE that is not true or false is refused", env("HOST", "0.0.0.0", "DEV_ISSUER_EXPOSE", "yes"), `DEV_ISSUER_EXPOSE: "yes"`},
		{"DEV_ISSUER_EXPOSE is refused even where it would change nothing", env("DEV_ISSUER_EXPOSE", "maybe"), "DEV_ISSUER_EXPOSE"},
		{"a DEV_ISSUER_ACCESS_TTL that is not a duration is refused", env("DEV_ISSUER_ACCESS_TTL", "30"), "DEV_ISSUER_ACCESS_TTL"},
		{"a DEV_ISSUER_ACCESS_TTL under a second is refused", env("DEV_ISSUER_ACCESS_TTL", "500ms"), "DEV_ISSUER_ACCESS_TTL"},
		{"a DEV_ISSUER_REFRESH_TTL over a day is refused", env("DEV_ISSUER_REFRESH_TTL", "25h"), "DEV_ISSUER_REFRESH_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.mention)
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Load(env("PORT", "x", "LOG_LEVEL", "y"))
	if err == nil || !strings.Contains(err.Error(), "PORT") || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Fatalf("err = %v", err)
	}
}
