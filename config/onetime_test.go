package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/onetime"
)

func testSigningKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := onetime.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadSingleUseAndNetlifySettings(t *testing.T) {
	keyPEM := testSigningKeyPEM(t)
	lambda := []string{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001", "AUTH0_DOMAIN", "t.auth0.com", "AUTH0_AUDIENCE", "x"}
	tests := []struct {
		name  string
		env   []string
		check func(t *testing.T, c Config)
	}{
		{"defaults: 60s tokens, a key generated later, memory store", nil, func(t *testing.T, c Config) {
			if c.OneTime.TTL != 60*time.Second || c.OneTime.SigningKey != nil || !c.OneTime.Enabled || c.OneTime.RedisURL != "" {
				t.Fatalf("%+v", c.OneTime)
			}
			if c.Netlify.RolesPath != "app_metadata.roles" || c.Netlify.TOMLPath != "netlify.toml" || c.Netlify.JWTSecret != nil {
				t.Fatalf("%+v", c.Netlify)
			}
		}},
		{"a PEM with escaped newlines is read", []string{"ONETIME_SIGNING_KEY", strings.ReplaceAll(keyPEM, "\n", `\n`), "ONETIME_TTL", "30s"}, func(t *testing.T, c Config) {
			if c.OneTime.SigningKey == nil || c.OneTime.TTL != 30*time.Second {
				t.Fatalf("%+v", c.OneTime)
			}
		}},
		{"Lambda without a signing key disables single-use tokens", lambda, func(t *testing.T, c Config) {
			if c.OneTime.Enabled {
				t.Fatal("enabled without a key in Lambda: a key would have to be generated per instance")
			}
		}},
		{"Lambda with a signing key enables them", append(lambda, "ONETIME_SIGNING_KEY", keyPEM), func(t *testing.T, c Config) {
			if !c.OneTime.Enabled || c.OneTime.SigningKey == nil {
				t.Fatalf("%+v", c.OneTime)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env...))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadRejectsBadSingleUseAndNetlifySettings(t *testing.T) {
	tests := []struct {
		name, key, value string
		leak             string // must not appear in the message
	}{
		{"TTL of zero", "ONETIME_TTL", "0s", ""},
		{"TTL above five minutes", "ONETIME_TTL", "6m", ""},
		{"TTL that is not a duration", "ONETIME_TTL", "sixty", ""},
		{"signing key that is not PEM", "ONETIME_SIGNING_KEY", "hunter2", "hunter2"},
		{"RSA signing key", "ONETIME_SIGNING_KEY", rsaPEM(t), ""},
		{"Redis URL of another scheme", "REDIS_URL", "http://user:hunter2@redis.test", "hunter2"},
		{"short Netlify secret", "NETLIFY_JWT_SECRET", "too-short", "too-short"},
		{"roles path with an empty segment", "NETLIFY_ROLES_PATH", "app_metadata..roles", ""},
		{"roles path under user_metadata, which users edit themselves", "NETLIFY_ROLES_PATH", "user_metadata.roles", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			_, err := Load(env(tc.key, tc.value))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("Load = %v; want an error naming %s", err, tc.key)
			}
			if tc.leak != "" && strings.Contains(err.Error(), tc.leak) {
				t.Fatalf("message %q shows the secret value", err)
			}
		})
	}
}

func TestLoadFunctionRequiresWhatLambdaCannotDoWithout(t *testing.T) {
	lambda := []string{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}
	tests := []struct {
		name  string
		env   []string
		needs []string
		want  []string // variables the error must name; none: no error
	}{
		{"target in Lambda needs the JWKS URL and Redis", lambda, []string{"onetime"}, []string{"ONETIME_JWKS_URL", "REDIS_URL"}},
		{"proxy functions in Lambda need the Identity secret", lambda, []string{"netlify"}, []string{"NETLIFY_JWT_SECRET"}},
		{"target in Lambda with both starts", append(lambda, "ONETIME_JWKS_URL", "https://site.test/api/.well-known/jwks.json", "REDIS_URL", "rediss://default:pw@redis.test:6380"), []string{"onetime"}, nil},
		{"outside Lambda nothing is required", nil, []string{"onetime", "netlify"}, nil},
		{"a plain-http JWKS URL off loopback is refused", []string{"ONETIME_JWKS_URL", "http://site.test/jwks.json"}, nil, []string{"ONETIME_JWKS_URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFunction(env(tc.env...), tc.needs...)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range tc.want {
				if err == nil || !strings.Contains(err.Error(), name) {
					t.Fatalf("LoadFunction = %v; want an error naming %s", err, name)
				}
			}
		})
	}
}

func rsaPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
