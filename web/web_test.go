package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/netlifydev"
	"github.com/fnguard/fnguard/web"
)

func devConfig(t *testing.T) config.Config {
	t.Helper()
	c, err := config.Load(func(k string) string {
		return map[string]string{"DEV_ISSUER_KEY_FILE": "/nonexistent/key.pem"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHandlerServesTheAppAndItsConfig(t *testing.T) {
	sc := web.Config{
		Domain:    "http://127.0.0.1:8080/dev-issuer",
		ClientID:  "spa",
		Audience:  "https://api.test",
		APIOrigin: "http://127.0.0.1:9090",
		MePath:    "/api/me",
		Endpoints: web.Endpoints("/api", nil),
		// On the issuer's origin, which connect-src lists once.
		NetlifyTokenURL: "http://127.0.0.1:8080/dev-issuer/netlify-token",
	}
	h, err := web.Handler(web.Files(), sc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, tc := range []struct {
		name, path  string
		wantStatus  int
		wantType    string
		wantBodyHas string
	}{
		{"the root is the app", "/", 200, "text/html; charset=utf-8", `<script type="module" src="app.js">`},
		{"the script is JavaScript", "/app.js", 200, "text/javascript; charset=utf-8", "auth0-spa-js.production.esm.js"},
		{"the stylesheet is CSS", "/app.css", 200, "text/css; charset=utf-8", "--allowed"},
		{"auth0-spa-js is served from the app's origin", "/vendor/auth0-spa-js.production.esm.js", 200, "text/javascript; charset=utf-8", "Auth0Client"},
		{"the config is JSON", "/spa-config.json", 200, "application/json", `"clientId":"spa"`},
		{"a folder is not listed", "/vendor/", 404, "text/plain; charset=utf-8", "404"},
		{"an unknown path is a 404, not the app", "/admin", 404, "text/plain; charset=utf-8", "404"},
		{"the Go source beside public/ is not served", "/web.go", 404, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.URL.Path = tc.path
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantType != "" && resp.Header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", resp.Header.Get("Content-Type"), tc.wantType)
			}
			if !strings.Contains(string(body), tc.wantBodyHas) {
				t.Errorf("body does not contain %q", tc.wantBodyHas)
			}
		})
	}

	t.Run("the page may connect only to itself, the issuer and the API", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self';", "connect-src 'self' http://127.0.0.1:8080 http://127.0.0.1:9090;", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP %q allows inline or eval'd code", csp)
		}
		if resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("X-Frame-Options = %q", resp.Header.Get("X-Frame-Options"))
		}
	})

	t.Run("the config round-trips", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/spa-config.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got web.Config
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Domain != sc.Domain || got.APIOrigin != sc.APIOrigin || got.NetlifyTokenURL != sc.NetlifyTokenURL || len(got.Endpoints) != len(sc.Endpoints) || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("got %+v, Cache-Control %q", got, resp.Header.Get("Cache-Control"))
		}
	})
}

func TestNewConfig(t *testing.T) {
	dev := devConfig(t)
	t.Run("the development issuer's config points at it", func(t *testing.T) {
		sc, err := web.NewConfig(dev, "http://127.0.0.1:8080/dev-issuer/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Domain != "http://127.0.0.1:8080/dev-issuer" || sc.ClientID != config.DevClientID || sc.Audience != config.DevAudience ||
			sc.APIOrigin != "" || sc.MePath != "/api/me" || !sc.DevIssuer || len(sc.Endpoints) == 0 {
			t.Errorf("config = %+v", sc)
		}
	})
	t.Run("Auth0's config names the tenant and the client", func(t *testing.T) {
		c, err := config.Load(func(k string) string {
			return map[string]string{"AUTH0_DOMAIN": "tenant.eu.auth0.com", "AUTH0_AUDIENCE": "https://api.example", "AUTH0_CLIENT_ID": "abc123"}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := web.NewConfig(c, c.Issuer, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Domain != "https://tenant.eu.auth0.com" || sc.ClientID != "abc123" || sc.Audience != "https://api.example" || sc.DevIssuer || sc.NetlifyTokenURL != "" {
			t.Errorf("config = %+v", sc)
		}
	})
	t.Run("an issuer without a trailing slash is refused", func(t *testing.T) {
		if _, err := web.NewConfig(dev, "https://issuer.example/oauth2/default", nil); err == nil || !strings.Contains(err.Error(), "must end in /") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a missing client id names AUTH0_CLIENT_ID", func(t *testing.T) {
		c := dev
		c.SPAClientID = ""
		if _, err := web.NewConfig(c, "https://tenant.auth0.com/", nil); err == nil || !strings.Contains(err.Error(), "AUTH0_CLIENT_ID") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestEndpointsListServedStrategiesOnly(t *testing.T) {
	served := []string{"/.netlify/functions/inline", "/.netlify/functions/admin-only"}
	eps := web.Endpoints("/api", func(prefix string) bool { return slices.Contains(served, prefix) })
	var got []string
	for _, e := range eps {
		got = append(got, e.Method+" "+e.Path)
	}
	want := []string{
		"GET /api/health", "GET /api/public", "GET /api/me", "GET /api/paid", "GET /api/admin",
		"GET /.netlify/functions/inline/me", "GET /.netlify/functions/inline/paid", "GET /.netlify/functions/inline/admin",
		// The admin-only function serves its rule's path, not paid-only's.
		"GET /admin-only/",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestEndpointsAreWellFormed(t *testing.T) {
	eps := web.Endpoints("/api", func(string) bool { return true })
	seen := map[string]bool{}
	for _, e := range eps {
		key := e.Method + " " + e.Path
		if seen[key] {
			t.Errorf("%s is listed twice", key)
		}
		seen[key] = true
		if !slices.Contains([]string{web.Anyone, web.SignedIn, web.PaidOrAdmin, web.AdminOnly}, e.Who) {
			t.Errorf("%s: who %q is not one the tests know how to check", key, e.Who)
		}
		if !slices.Contains([]functions.Credential{functions.Bearer, functions.Cookie, functions.None, functions.SingleUse}, e.Credential) {
			t.Errorf("%s: credential %q", key, e.Credential)
		}
		if (e.Credential == functions.SingleUse) != (e.Grant != nil) || e.Grant != nil && (e.Grant.TokenPath != "/api/tokens" || e.Grant.Target == "" || e.Grant.Action == "") {
			t.Errorf("%s: credential %q with grant %+v: single-use rows, and only they, name a full grant", key, e.Credential, e.Grant)
		}
		if (e.Who == web.Anyone) != (e.Credential == functions.None) {
			t.Errorf("%s: who %q with credential %q: public rows send nothing, protected rows send a token", key, e.Who, e.Credential)
		}
		if !strings.HasPrefix(e.Path, "/") || e.Strategy == "" {
			t.Errorf("%s: want an absolute path and a strategy", key)
		}
	}
	for _, want := range []string{"GET /api/public", "GET /api/me", "GET /api/paid", "GET /api/admin"} {
		if !seen[want] {
			t.Errorf("the flagship's %s is missing", want)
		}
	}
}

// The proxy-level rows are netlify.toml's role rules: a row for each rule's
// path, saying who its Role condition lets through, and no other cookie
// row. Editing a rule without its row (or the reverse) fails here.
func TestProxyLevelRowsAreTheRoleRulesOfNetlifyTOML(t *testing.T) {
	data, err := os.ReadFile("../netlify.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, rules, err := netlifydev.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]web.Endpoint{}
	for _, e := range web.Endpoints("/api", func(string) bool { return true }) {
		if e.Credential == functions.Cookie {
			rows[e.Path] = e
		}
	}
	whoFor := map[string]string{"admin": web.AdminOnly, "admin,paid": web.PaidOrAdmin}
	want := map[string]string{}
	for _, r := range rules {
		if roles := r.Roles(); len(roles) > 0 {
			sorted := slices.Sorted(slices.Values(roles))
			who, ok := whoFor[strings.Join(sorted, ",")]
			if !ok {
				t.Fatalf("rule %s lets %v through: no words for that on the page", r.From, roles)
			}
			want[strings.TrimSuffix(r.From, "*")] = who
		}
	}
	if len(want) == 0 {
		t.Fatal("netlify.toml has no role rule")
	}
	for path, who := range want {
		if e, ok := rows[path]; !ok || e.Who != who || e.Method != http.MethodGet {
			t.Errorf("rule %s*: row %+v, want GET %s for %q", path, e, path, who)
		}
	}
	for path := range rows {
		if _, ok := want[path]; !ok {
			t.Errorf("cookie row %s has no role rule in netlify.toml", path)
		}
	}
}

func TestNewPassesTheTokenExchangeToThePage(t *testing.T) {
	h, err := web.New(devConfig(t), "http://127.0.0.1:8080/dev-issuer/", nil, "http://127.0.0.1:8080/dev-issuer/netlify-token")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/spa-config.json", nil))
	if !strings.Contains(rec.Body.String(), `"netlifyTokenUrl":"http://127.0.0.1:8080/dev-issuer/netlify-token"`) {
		t.Errorf("config %s lacks the exchange URL", rec.Body)
	}
	h, err = web.New(devConfig(t), "http://127.0.0.1:8080/dev-issuer/", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/spa-config.json", nil))
	if strings.Contains(rec.Body.String(), "netlifyTokenUrl") {
		t.Errorf("config %s names an exchange where none runs", rec.Body)
	}
}

func TestRedirectURIs(t *testing.T) {
	got := web.RedirectURIs(8080, []string{"https://app.example", "*", "http://localhost:8080"})
	want := []string{"http://127.0.0.1:8080/", "http://localhost:8080/", "https://app.example/"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The vendored auth0-spa-js is the version web/package.json pins: a
// version bump must go through web/vendor.sh.
func TestVendoredAuth0SPAJSMatchesThePin(t *testing.T) {
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for path, v := range map[string]any{"../web/package.json": &pkg, "../web/package-lock.json": &lock} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	pinned := pkg.DevDependencies["@auth0/auth0-spa-js"]
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(pinned) {
		t.Fatalf("package.json pins %q, want an exact version", pinned)
	}
	if locked := lock.Packages["node_modules/@auth0/auth0-spa-js"].Version; locked != pinned {
		t.Errorf("package-lock.json has %q, package.json %q", locked, pinned)
	}
	js, err := os.ReadFile("../web/public/vendor/auth0-spa-js.production.esm.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`name:"auth0-spa-js",version:"([^"]+)"`).FindSubmatch(js)
	if m == nil || string(m[1]) != pinned {
		t.Errorf("vendored auth0-spa-js is %q, want %q: run web/vendor.sh", m, pinned)
	}
}

// Netlify's build writes _headers into public/; when that build ran in a
// checkout, the local server must not publish it as a page.
func TestTheNetlifyHeadersFileIsNotServed(t *testing.T) {
	files := fstest.MapFS{"index.html": {Data: []byte("<h1>app</h1>")}, "_headers": {Data: []byte("/*\n  X-Test: 1\n")}}
	h, err := web.Handler(files, web.Config{ClientID: "spa"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/": 200, "/_headers": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
	}
}
