package proxyrole_test

import (
	"encoding/json"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/internal/jwssign"
	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/proxyrole"
)

var secret = []byte("proxyrole-test-secret-of-32-bytes-at-least")

var hs256 = map[string]any{"alg": "HS256", "typ": "JWT"}

func withClaims(c map[string]any, kv ...any) map[string]any {
	out := maps.Clone(c)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// invoke calls f as Netlify would: the event with the nf_jwt cookie when
// cookie is set, the client context holding contextClaims when set.
func invoke(t *testing.T, f proxyrole.Function, a auth.Authenticator, cookie string, contextClaims map[string]any) events.APIGatewayProxyResponse {
	t.Helper()
	ev := strategytest.Event(t, f.Name, "x", "")
	if cookie != "" {
		ev.Headers["cookie"] = auth.NetlifyCookie + "=" + cookie
		ev.MultiValueHeaders["cookie"] = []string{ev.Headers["cookie"]}
	}
	netlify := ""
	if contextClaims != nil {
		netlify = strategytest.NetlifyContext(t, contextClaims)
	}
	resp, err := f.Handler(a, slog.New(slog.DiscardHandler))(strategytest.Context(netlify), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestFunctionsReVerifyTheCallerInTheClientContext(t *testing.T) {
	a, err := proxyrole.Authenticator(config.Netlify{JWTSecret: secret, RolesPath: auth.DefaultNetlifyRolesPath}, true)
	if err != nil {
		t.Fatal(err)
	}
	admin := strategytest.IdentityClaims("admin|1", "admin")
	paid := strategytest.IdentityClaims("paid|1", "paid")
	free := strategytest.IdentityClaims("free|1")
	sign := func(c map[string]any) string { return strategytest.SignHS256(t, secret, hs256, c) }
	rsaKey, err := devissuer.LoadOrCreateKey(t.TempDir() + "/k.pem")
	if err != nil {
		t.Fatal(err)
	}
	rs256Admin, err := jwssign.Sign(rsaKey, map[string]any{"alg": "RS256", "typ": "JWT"}, admin)
	if err != nil {
		t.Fatal(err)
	}
	expired := withClaims(admin, "exp", time.Now().Add(-time.Hour).Unix())

	tests := []struct {
		name    string
		f       proxyrole.Function
		cookie  string
		context map[string]any
		status  int
		code    string
	}{
		{"admin with a verified cookie reaches admin-only", proxyrole.AdminOnly, sign(admin), admin, 200, ""},
		{"admin reaches paid-only", proxyrole.PaidOnly, sign(admin), admin, 200, ""},
		{"paid user reaches paid-only", proxyrole.PaidOnly, sign(paid), paid, 200, ""},
		{"paid user on admin-only is 403", proxyrole.AdminOnly, sign(paid), paid, 403, "insufficient_scope"},
		{"free user on paid-only is 403", proxyrole.PaidOnly, sign(free), free, 403, "insufficient_scope"},
		{"anonymous is 401", proxyrole.PaidOnly, "", nil, 401, "unauthorized"},
		{"an admin context without a token is not trusted", proxyrole.AdminOnly, "", admin, 401, "unauthorized"},
		{"an admin context over a paid user's token is refused", proxyrole.AdminOnly, sign(paid), admin, 401, "invalid_token"},
		{"expired cookie is 401", proxyrole.AdminOnly, sign(expired), expired, 401, "invalid_token"},
		{"forged signature is 401", proxyrole.AdminOnly, strategytest.SignHS256(t, []byte("not-the-site-secret-but-32-bytes-long"), hs256, admin), admin, 401, "invalid_token"},
		{"RS256 token is 401 (never checked against the secret)", proxyrole.AdminOnly, rs256Admin, admin, 401, "invalid_token"},
		{"RS256 header HMAC-signed with the secret is 401", proxyrole.AdminOnly, strategytest.SignHS256(t, secret, map[string]any{"alg": "RS256", "typ": "JWT"}, admin), admin, 401, "invalid_token"},
		{"alg none is 401", proxyrole.AdminOnly, strategytest.SignHS256(t, secret, map[string]any{"alg": "none"}, admin), admin, 401, "invalid_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := invoke(t, tc.f, a, tc.cookie, tc.context)
			var body map[string]any
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %s; want %d", resp.StatusCode, resp.Body, tc.status)
			}
			if tc.status != 200 {
				if body["error"] != tc.code {
					t.Fatalf("body %v; want error %s", body, tc.code)
				}
				if !strings.HasPrefix(headerOf(resp, "WWW-Authenticate"), "Bearer") {
					t.Fatalf("WWW-Authenticate %q", headerOf(resp, "WWW-Authenticate"))
				}
				return
			}
			if body["function"] != tc.f.Name || body["sub"] != tc.context["sub"] {
				t.Fatalf("body %v", body)
			}
		})
	}
}

func TestWithoutASecretTheFunctionRefusesToRunOutsideDevelopment(t *testing.T) {
	getenv := strategytest.Getenv([]string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"})
	_, err := config.LoadFunction(getenv, "netlify")
	if err == nil || !strings.Contains(err.Error(), "NETLIFY_JWT_SECRET") {
		t.Fatalf("LoadFunction in Lambda without a secret = %v; want an error naming NETLIFY_JWT_SECRET", err)
	}
	if _, err := proxyrole.Authenticator(config.Netlify{}, true); err == nil {
		t.Fatal("Authenticator in Lambda without a secret succeeded")
	}
}

// In development without a secret the function trusts the client context,
// as `netlify dev` builds it; this is the only place it does.
func TestDevelopmentWithoutASecretTrustsTheContext(t *testing.T) {
	a, err := proxyrole.Authenticator(config.Netlify{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if resp := invoke(t, proxyrole.AdminOnly, a, "", strategytest.IdentityClaims("admin|1", "admin")); resp.StatusCode != 200 {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
	}
	if resp := invoke(t, proxyrole.AdminOnly, a, "", strategytest.IdentityClaims("paid|1", "paid")); resp.StatusCode != 403 {
		t.Fatalf("paid context on admin-only = %d; want 403", resp.StatusCode)
	}
}

func headerOf(resp events.APIGatewayProxyResponse, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range resp.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
