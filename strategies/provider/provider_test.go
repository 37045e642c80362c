package provider_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/provider"
)

const secret = "a-netlify-identity-secret-of-32-bytes!"

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestLoadRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  func(string) string
		want string
	}{
		{"unknown provider names AUTH_PROVIDER", env("AUTH_PROVIDER=cognito"), `AUTH_PROVIDER: "cognito": want auth0 or netlify`},
		{"netlify without a secret names NETLIFY_JWT_SECRET", env("AUTH_PROVIDER=netlify"), "NETLIFY_JWT_SECRET: required with AUTH_PROVIDER=netlify"},
		{"a short secret is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET=short"), "NETLIFY_JWT_SECRET: 5 bytes: HS256 needs a secret of at least 32 bytes"},
		{"trusting the context in Lambda is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_TRUST_UNVERIFIED_CONTEXT=true", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"), "NETLIFY_TRUST_UNVERIFIED_CONTEXT: is for local development only"},
		{"trusting the context in Lambda is refused even with NETLIFY_DEV set", env("AUTH_PROVIDER=netlify", "NETLIFY_TRUST_UNVERIFIED_CONTEXT=true", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "NETLIFY_DEV=true"), "NETLIFY_TRUST_UNVERIFIED_CONTEXT: is for local development only"},
		{"a trust flag that is not a boolean is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret, "NETLIFY_TRUST_UNVERIFIED_CONTEXT=yes please"), "want true or false"},
		{"a trust flag of maybe is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret, "NETLIFY_TRUST_UNVERIFIED_CONTEXT=maybe"), `NETLIFY_TRUST_UNVERIFIED_CONTEXT: "maybe": want true or false`},
		{"a trust flag of 1 is refused: booleans are true or false", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret, "NETLIFY_TRUST_UNVERIFIED_CONTEXT=1"), `NETLIFY_TRUST_UNVERIFIED_CONTEXT: "1": want true or false`},
		{"a trust flag in upper case is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret, "NETLIFY_TRUST_UNVERIFIED_CONTEXT=TRUE"), `NETLIFY_TRUST_UNVERIFIED_CONTEXT: "TRUE": want true or false`},
		{"a roles path with an empty segment is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret, "NETLIFY_ROLES_PATH=app_metadata."), "NETLIFY_ROLES_PATH"},
		{"auth0 in Lambda without an issuer is refused", env("AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"), "AUTH0_DOMAIN"},
		{"a bad log level is refused", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret, "LOG_LEVEL=loud"), "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provider.Load(tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAuthenticatorIsTheConfiguredProvider(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name     string
		env      func(string) string
		netlify  bool
		verifies bool
	}{
		{"netlify with a secret verifies tokens", env("AUTH_PROVIDER=netlify", "NETLIFY_JWT_SECRET="+secret), true, true},
		{"netlify in development trusts the context", env("AUTH_PROVIDER=NETLIFY", "NETLIFY_TRUST_UNVERIFIED_CONTEXT=true"), true, false},
		{"auth0 is the default", env("AUTH_ISSUER_URL=http://127.0.0.1:1/", "AUTH0_AUDIENCE=https://api.example"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := provider.Load(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			a, err := cfg.Authenticator(log)
			if err != nil {
				t.Fatal(err)
			}
			n, isNetlify := a.(*auth.Netlify)
			if isNetlify != tt.netlify || (isNetlify && n.Verifies() != tt.verifies) {
				t.Fatalf("authenticator %T, want netlify %v verifying %v", a, tt.netlify, tt.verifies)
			}
		})
	}
}

func TestAuth0OutsideLambdaNeedsAnIssuerToBuild(t *testing.T) {
	cfg, err := provider.Load(env())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Authenticator(slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "AUTH0_DOMAIN") {
		t.Fatalf("err = %v, want it to name AUTH0_DOMAIN", err)
	}
}
