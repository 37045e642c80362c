package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
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

// publishedSecret is netlify.toml's [dev] jwtSecret, as the file has it.
func publishedSecret(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "netlify.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*jwtSecret\s*=\s*"([^"]*)"`).FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatal("netlify.toml has no [dev] jwtSecret")
	}
	return m[1]
}

func TestPublishedDevSecretIsNetlifyTomls(t *testing.T) {
	if got := publishedSecret(t); got != PublishedDevJWTSecret {
		t.Fatalf("netlify.toml's [dev] jwtSecret is %q, PublishedDevJWTSecret %q: the deployed functions would not recognise it", got, PublishedDevJWTSecret)
	}
}

// TestPublishedDevSecretIsRefusedWhereItMatters: anyone can read the [dev]
// jwtSecret in the repository and sign an admin nf_jwt with it, so no
// deployment may verify tokens with it.
func TestPublishedDevSecretIsRefusedWhereItMatters(t *testing.T) {
	dev := publishedSecret(t)
	lambda := []string{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}
	issuer := []string{"AUTH0_DOMAIN", "t.auth0.com", "AUTH0_AUDIENCE", "x"}
	functions := []struct {
		name    string
		env     []string
		refused bool
	}{
		{"a deployed function refuses the published secret", append(lambda, "NETLIFY_JWT_SECRET", dev), true},
		{"a deployed function refuses the published secret for every need", append(lambda, "NETLIFY_JWT_SECRET", dev, "ONETIME_JWKS_URL", "https://site.test/api/.well-known/jwks.json", "REDIS_URL", "redis://redis.test:6379"), true},
		{"a function under netlify dev may use it", append(lambda, "NETLIFY_JWT_SECRET", dev, "NETLIFY_DEV", "true"), false},
		{"a deployed function with its own secret starts", append(lambda, "NETLIFY_JWT_SECRET", "a-site-secret-that-is-long-enough-for-hs256"), false},
		{"a function outside Lambda may use it", []string{"NETLIFY_JWT_SECRET", dev}, false},
	}
	for _, tc := range functions {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFunction(env(tc.env...), "netlify")
			checkRefusal(t, err, tc.refused, dev)
		})
	}
	flagship := []struct {
		name    string
		env     []string
		refused bool
	}{
		{"the local server with a real issuer refuses it", append(issuer, "NETLIFY_JWT_SECRET", dev), true},
		{"the flagship in Lambda refuses it", append(append(lambda, issuer...), "NETLIFY_JWT_SECRET", dev), true},
		{"the flagship under netlify dev may use it (its functions share one environment)", append(append(lambda, issuer...), "NETLIFY_JWT_SECRET", dev, "NETLIFY_DEV", "true"), false},
		{"the local server with a real issuer refuses it, NETLIFY_DEV or not", append(issuer, "NETLIFY_JWT_SECRET", dev, "NETLIFY_DEV", "true"), true},
		{"the local server with the development issuer may use it", []string{"NETLIFY_JWT_SECRET", dev}, false},
	}
	for _, tc := range flagship {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env...))
			checkRefusal(t, err, tc.refused, dev)
		})
	}
}

func checkRefusal(t *testing.T, err error, refused bool, secret string) {
	t.Helper()
	if !refused {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "NETLIFY_JWT_SECRET") || !strings.Contains(err.Error(), "netlify.toml") {
		t.Fatalf("err = %v, want one naming NETLIFY_JWT_SECRET and netlify.toml", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("message %q shows the secret", err)
	}
}

// TestSingleUseTokensAcrossInstancesNeedRedis: instances that share
// ONETIME_SIGNING_KEY accept each other's tokens; each with its own
// in-memory record of used ones would accept a token once per instance.
func TestSingleUseTokensAcrossInstancesNeedRedis(t *testing.T) {
	keyPEM := testSigningKeyPEM(t)
	issuer := []string{"AUTH0_DOMAIN", "t.auth0.com", "AUTH0_AUDIENCE", "x"}
	tests := []struct {
		name    string
		env     []string
		refused bool
	}{
		{"a real issuer with a shared signing key and no Redis is refused", append(issuer, "ONETIME_SIGNING_KEY", keyPEM), true},
		{"a real issuer with a shared signing key and Redis starts", append(issuer, "ONETIME_SIGNING_KEY", keyPEM, "REDIS_URL", "redis://redis.test:6379"), false},
		{"a real issuer without a signing key starts: each instance signs with its own", issuer, false},
		{"the development issuer with a signing key and no Redis starts", []string{"ONETIME_SIGNING_KEY", keyPEM}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env...))
			if !tc.refused {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "REDIS_URL") || !strings.Contains(err.Error(), "ONETIME_SIGNING_KEY") {
				t.Fatalf("err = %v, want one naming REDIS_URL and ONETIME_SIGNING_KEY", err)
			}
		})
	}
}
