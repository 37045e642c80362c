package netlifydev_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/internal/jwssign"
	"github.com/fnguard/fnguard/netlifydev"
)

// The tests run against the repository's own netlify.toml: the file Netlify
// deploys with is the file these rules come from.
const netlifyTOML = "../netlify.toml"

var secret = []byte("proxy-test-secret-of-at-least-32-bytes!!")

// testCSP stands for the page's policy, which the server builds (web).
const testCSP = "default-src 'self'"

func readTOML(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(netlifyTOML)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// site is the local server as `go run .` assembles it: the proxy with the
// rules of data in front of the functions and of a "router" for the rest.
func site(t *testing.T, data []byte) (url string, rolesPath string) {
	t.Helper()
	file, rules, err := netlifydev.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	n, err := auth.NewNetlify(auth.NetlifyConfig{Secret: secret, RolesPath: file.Dev.JWTRolePath})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	byName := map[string]http.Handler{}
	for _, f := range roleRuleFunctions() {
		h, err := f.New(functions.Deps{Log: log, Identity: n})
		if err != nil {
			t.Fatal(err)
		}
		byName[f.Name] = netlifydev.ServeFunction(h, netlifydev.FunctionOptions{NetlifyIdentity: true, Log: log})
	}
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "router")
	})
	p, err := netlifydev.NewRoleRules(netlifydev.RoleRulesOptions{
		Rules: rules, Verifier: n, Functions: byName, Log: log,
		Files:   fstest.MapFS{"401.html": {Data: []byte("<h1>sign in required</h1>")}},
		Headers: file.Headers, CSP: testCSP,
	}, router)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL, file.Dev.JWTRolePath
}

func identityToken(t *testing.T, key []byte, rolesPath, sub string, ttl time.Duration, roles ...string) string {
	t.Helper()
	tok, err := netlifydev.SignIdentityToken(key, rolesPath, sub, roles, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type result struct {
	status int
	body   string
}

func get(t *testing.T, url, cookie string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.NetlifyCookie, Value: cookie})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, string(b)}
}

// cookies are the callers of the tests, by name.
func cookies(t *testing.T, rolesPath string) map[string]string {
	rsa, err := devissuer.LoadOrCreateKey(t.TempDir() + "/k.pem")
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).Unix()
	rsAdmin, err := jwssign.Sign(rsa, map[string]any{"alg": "RS256", "typ": "JWT"},
		map[string]any{"sub": "rs", "exp": exp, "app_metadata": map[string]any{"roles": []string{"admin"}}})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"anonymous":      "",
		"free":           identityToken(t, secret, rolesPath, "free", time.Hour),
		"paid":           identityToken(t, secret, rolesPath, "paid", time.Hour, "paid"),
		"admin":          identityToken(t, secret, rolesPath, "admin", time.Hour, "admin"),
		"expired admin":  identityToken(t, secret, rolesPath, "admin", -time.Minute, "admin"),
		"forged admin":   identityToken(t, []byte("another-secret-that-is-32-bytes-long!!"), rolesPath, "admin", time.Hour, "admin"),
		"RS256 admin":    rsAdmin,
		"alg none admin": unsignedToken(rolesPath),
		"garbage":        "not-a-jwt",
	}
}

func unsignedToken(rolesPath string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return b64(b)
	}
	return enc(map[string]string{"alg": "none"}) + "." +
		enc(map[string]any{"sub": "x", "exp": time.Now().Add(time.Hour).Unix(), "app_metadata": map[string]any{"roles": []string{"admin"}}}) + "."
}

func TestRoleRulesThroughTheLocalProxy(t *testing.T) {
	url, rolesPath := site(t, readTOML(t))
	c := cookies(t, rolesPath)
	// The page Netlify serves for the fallback rules, with their status.
	denied := result{401, "<h1>sign in required</h1>"}
	tests := []struct {
		caller, path string
		want         int
		function     string // the function that answered, when one did
	}{
		{"admin", "/admin-only/", 200, "admin-only"},
		{"admin", "/admin-only/reports/q3", 200, "admin-only"},
		{"admin", "/admin-only", 200, "admin-only"},
		{"admin", "/paid-only/x", 200, "paid-only"},
		{"paid", "/paid-only/x", 200, "paid-only"},
		{"paid", "/admin-only/x", 401, ""},
		{"free", "/paid-only/x", 401, ""},
		{"free", "/admin-only/x", 401, ""},
		{"anonymous", "/paid-only/x", 401, ""},
		{"anonymous", "/admin-only/x", 401, ""},
		{"expired admin", "/admin-only/x", 401, ""},
		{"forged admin", "/admin-only/x", 401, ""},
		{"RS256 admin", "/admin-only/x", 401, ""},
		{"alg none admin", "/admin-only/x", 401, ""},
		{"garbage", "/paid-only/x", 401, ""},
		{"admin", "/api/health", 418, ""}, // not a role rule: the router's
		{"anonymous", "/admin-onlyx", 418, ""},
		// Paths are collapsed as Netlify's router collapses them, before
		// any rule is chosen: a dot segment must not pick the rule.
		{"paid", "/paid-only/../admin-only/", 401, ""},
		{"paid", "/paid-only/%2e%2e/admin-only/x", 401, ""},
		{"paid", "/paid-only/./../admin-only/x", 401, ""},
		{"paid", "/paid-only//../admin-only/x", 401, ""},
		{"admin", "/paid-only/../admin-only/", 200, "admin-only"},
		{"paid", "/admin-only/../paid-only/x", 200, "paid-only"},
		{"anonymous", "/api/../admin-only/x", 401, ""},
		{"admin", "/admin-only/../api/health", 418, ""},
	}
	for _, tc := range tests {
		t.Run(tc.caller+" GET "+tc.path, func(t *testing.T) {
			got := get(t, url+tc.path, c[tc.caller])
			switch {
			case got.status != tc.want:
				t.Fatalf("status %d %s; want %d", got.status, got.body, tc.want)
			case tc.want == 401 && got != denied:
				t.Fatalf("got %v; want the fallback page %v", got, denied)
			case tc.function != "":
				var body map[string]any
				if err := json.Unmarshal([]byte(got.body), &body); err != nil || body["function"] != tc.function {
					t.Fatalf("body %s; want function %s", got.body, tc.function)
				}
			}
		})
	}
}

func TestFunctionsBehindRulesAgreeWithNetlifyTOML(t *testing.T) {
	_, rules, err := netlifydev.Parse(readTOML(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range roleRuleFunctions() {
		t.Run(f.Name, func(t *testing.T) {
			i := slices.IndexFunc(rules, func(r netlifydev.Rule) bool { return r.Function == f.Name })
			if i < 0 {
				t.Fatalf("netlify.toml has no role rule rewriting to %s", f.Name)
			}
			rule := rules[i]
			if rule.From != f.RulePath+"/*" {
				t.Errorf("the rule rewriting to %s is for %s; the function list says %s/*", f.Name, rule.From, f.RulePath)
			}
			policy := f.Routes[0].Policy
			for _, role := range []string{"free", "paid", "admin", "someone-else"} {
				allowed := policy.Allows(&auth.Principal{Roles: []string{role}})
				if allowed != slices.Contains(rule.Roles(), role) {
					t.Errorf("role %q: the function's policy %s allows it: %v; netlify.toml's rule lets %v through", role, policy, allowed, rule.Roles())
				}
			}
			fallback := slices.IndexFunc(rules[i+1:], func(r netlifydev.Rule) bool {
				return r.From == rule.From && len(r.Roles()) == 0
			})
			if fallback < 0 || rules[i+1+fallback].Status != 401 {
				t.Fatalf("no 401 fallback rule after the role rule for %s", rule.From)
			}
		})
	}
}

// The local proxy has no rules of its own: change the file, and what it
// enforces changes. Here admin-only's rule is opened to paid users; the
// proxy then lets a paid user through, and only the function's own check
// (403) stops them.
func TestTheRulesComeFromTheFile(t *testing.T) {
	data := string(readTOML(t))
	const adminRule = `conditions = {Role = ["admin"]}`
	if strings.Count(data, adminRule) != 1 {
		t.Fatalf("netlify.toml should hold %s once", adminRule)
	}
	url, rolesPath := site(t, []byte(strings.Replace(data, adminRule, `conditions = {Role = ["paid"]}`, 1)))
	paid := identityToken(t, secret, rolesPath, "paid", time.Hour, "paid")
	got := get(t, url+"/admin-only/x", paid)
	if got.status != 403 || !strings.Contains(got.body, "insufficient_scope") {
		t.Fatalf("paid user on the opened rule = %v; want the function's 403", got)
	}
	admin := identityToken(t, secret, rolesPath, "admin", time.Hour, "admin")
	if got := get(t, url+"/admin-only/x", admin); got.status != 401 {
		t.Fatalf("admin on a rule now for paid only = %v; want the fallback 401", got)
	}
}

func TestParseRefusesRulesItCannotReproduce(t *testing.T) {
	tests := []struct{ name, toml string }{
		{"country condition", `[[redirects]]
from = "/x/*"
to = "/.netlify/functions/x/:splat"
status = 200
conditions = {Role = ["admin"], Country = ["FR"]}`},
		{"rewrite to a page", `[[redirects]]
from = "/x/*"
to = "/page.html"
status = 200
conditions = {Role = ["admin"]}`},
		{"placeholder in from", `[[redirects]]
from = "/x/:id"
to = "/.netlify/functions/x/:splat"
status = 200
conditions = {Role = ["admin"]}`},
		{"empty Role list", `[[redirects]]
from = "/x/*"
to = "/.netlify/functions/x"
status = 200
conditions = {Role = []}`},
		{"proxy to another site", `[[redirects]]
from = "/x/*"
to = "https://example.com/:splat"
status = 200
conditions = {Role = ["admin"]}`},
		{"not TOML", `[[redirects]`},
		{"Role not a list", `[[redirects]]
from = "/x/*"
to = "/.netlify/functions/x"
status = 200
conditions = {Role = "admin"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			if _, _, err := netlifydev.Parse([]byte(tc.toml)); err == nil {
				t.Fatal("Parse accepted it")
			}
		})
	}
}

func TestRewriteToAFunctionNotServedLocallyIsAnError(t *testing.T) {
	_, rules, err := netlifydev.Parse(readTOML(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := netlifydev.NewRoleRules(netlifydev.RoleRulesOptions{Rules: rules}, http.NotFoundHandler()); err == nil {
		t.Fatal("New accepted rules whose functions it was not given")
	}
}

// roleRuleFunctions are the functions behind netlify.toml's role rules.
func roleRuleFunctions() []functions.Function {
	var out []functions.Function
	for _, f := range functions.All() {
		if f.RulePath != "" {
			out = append(out, f)
		}
	}
	return out
}

// TestAnswersTheProxyDecidesCarryTheSecurityHeaders: the fallback page and
// the other answers the proxy makes without a function get the headers
// netlify.toml's [[headers]] give every file Netlify serves, and the
// page's Content-Security-Policy, like every other answer of the server.
func TestAnswersTheProxyDecidesCarryTheSecurityHeaders(t *testing.T) {
	url, _ := site(t, readTOML(t))
	resp, err := http.Get(url + "/admin-only/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("status %d, want the fallback page's 401", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
		"Permissions-Policy":        "camera=(), microphone=(), geolocation=()",
		"Content-Security-Policy":   testCSP,
		"Cache-Control":             "no-store",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
