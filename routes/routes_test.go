package routes

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/syncbuf"
)

const (
	audience   = "https://api.test"
	spaOrigin  = "http://spa.test:5173"
	rolesClaim = "https://fnguard.dev/roles"
)

type fixture struct {
	router   http.Handler
	verifier *auth.Verifier
	issuer   *devissuer.Issuer
	logs     *syncbuf.Buffer
	tokens   map[string]string // persona -> token
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key, err := devissuer.LoadOrCreateKey(t.TempDir() + "/key.pem")
	if err != nil {
		t.Fatal(err)
	}
	// The issuer's URL is only known once its server listens.
	var iss *devissuer.Issuer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Handler().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	iss = devissuer.New(srv.URL+"/", key, audience, rolesClaim)

	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, Audiences: []string{audience}, RolesClaim: rolesClaim},
		auth.NewKeySet(iss.URL))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	f := &fixture{
		verifier: v,
		issuer:   iss,
		logs:     logs,
		router: New(Options{
			Logger:         slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Verifier:       v,
			BasePaths:      []string{"/api", "/.netlify/functions/api"},
			AllowedOrigins: []string{spaOrigin},
		}),
		tokens: map[string]string{},
	}
	for _, p := range devissuer.Personas {
		tok, err := iss.Mint(p, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[p.Name] = tok
	}
	return f
}

func (f *fixture) do(t *testing.T, method, path string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.router.ServeHTTP(rec, req)
	return rec
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, rec.Body.String())
	}
	return body
}

func TestPersonaMatrix(t *testing.T) {
	f := newFixture(t)
	expired, err := f.issuer.Sign(f.issuer.Claims(devissuer.Personas[2], -time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"anonymous": "",
		"invalid":   "not-a-jwt",
		"expired":   expired,
		"free":      f.tokens["free"],
		"paid":      f.tokens["paid"],
		"admin":     f.tokens["admin"],
	}
	// Expected status by route, for personas in this order.
	personas := []string{"anonymous", "invalid", "expired", "free", "paid", "admin"}
	matrix := map[string][]int{
		"/health": {200, 200, 200, 200, 200, 200},
		"/public": {200, 200, 200, 200, 200, 200},
		"/me":     {401, 401, 401, 200, 200, 200},
		"/paid":   {401, 401, 401, 403, 200, 200},
		"/admin":  {401, 401, 401, 403, 403, 200},
	}
	for _, base := range []string{"/api", "/.netlify/functions/api"} {
		for route, want := range matrix {
			for i, persona := range personas {
				t.Run(base+route+" as "+persona, func(t *testing.T) {
					h := map[string]string{}
					if tok := tokens[persona]; tok != "" {
						h["Authorization"] = "Bearer " + tok
					}
					rec := f.do(t, http.MethodGet, base+route, h)
					if rec.Code != want[i] {
						t.Fatalf("status = %d, want %d; body %s", rec.Code, want[i], rec.Body)
					}
					if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
						t.Errorf("Content-Type = %q", ct)
					}
					body := decodeBody(t, rec)
					challenge := rec.Header().Get("WWW-Authenticate")
					switch rec.Code {
					case 401:
						wantCode, wantChallenge := "invalid_token", `Bearer realm="fnguard", error="invalid_token"`
						if persona == "anonymous" {
							wantCode, wantChallenge = "unauthorized", `Bearer realm="fnguard"`
						}
						if body["error"] != wantCode || !strings.HasPrefix(challenge, wantChallenge) {
							t.Errorf("error = %v, challenge = %q; want %s, %s", body["error"], challenge, wantCode, wantChallenge)
						}
						if persona == "expired" && body["message"] != "The access token expired." {
							t.Errorf("message = %v", body["message"])
						}
					case 403:
						if body["error"] != "insufficient_scope" || !strings.Contains(challenge, `error="insufficient_scope"`) {
							t.Errorf("error = %v, challenge = %q", body["error"], challenge)
						}
					case 200:
						if challenge != "" {
							t.Errorf("200 with a challenge %q", challenge)
						}
					}
				})
			}
		}
	}
}

func TestMeReturnsTheCaller(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, http.MethodGet, "/api/me", map[string]string{"Authorization": "bearer " + f.tokens["paid"]})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var me meResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil {
		t.Fatal(err)
	}
	if me.Subject != "dev|paid-user" || strings.Join(me.Roles, ",") != "paid" ||
		strings.Join(me.Permissions, ",") != "read:profile,read:premium" ||
		strings.Join(me.Scopes, ",") != "openid,profile,email" {
		t.Errorf("me = %+v", me)
	}
	if got := rec.Header().Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("Cache-Control = %q, want private, no-store", got)
	}
}

func TestUnknownRouteAndMethodAreJSON(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, method, path string
		status             int
		code               string
		allow              string // RFC 9110 §15.5.6: every 405 lists what the route takes
	}{
		{"unknown API route is 404", "GET", "/api/nope", 404, "not_found", ""},
		{"unknown top-level path is 404", "GET", "/elsewhere", 404, "not_found", ""},
		{"POST to a GET route is 405 and allows GET", "POST", "/api/me", 405, "method_not_allowed", "GET"},
		{"DELETE on public is 405 and allows GET", "DELETE", "/api/public", 405, "method_not_allowed", "GET"},
		{"405 needs no token even on a protected route", "PUT", "/api/admin", 405, "method_not_allowed", "GET"},
		{"GET on the POST-only tokens route is 405 and allows POST", "GET", "/api/tokens", 405, "method_not_allowed", "POST"},
		{"405 under the Netlify base path allows GET", "POST", "/.netlify/functions/api/paid", 405, "method_not_allowed", "GET"},
		{"a method chi does not know on a route is 405", "BREW", "/api/me", 405, "method_not_allowed", "GET"},
		{"a method chi does not know on no route is 404", "BREW", "/api/nope", 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, tt.method, tt.path, nil)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if body := decodeBody(t, rec); body["error"] != tt.code || body["message"] == "" {
				t.Errorf("body = %v", body)
			}
			if got := strings.Join(rec.Header().Values("Allow"), ", "); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

// TestAPIStaysJSONBesideAPageAtRoot: the local server mounts the page at
// "/", and a handler there must never answer for a path under a base path:
// the API's routes are registered one by one, not mounted, so its 404 and
// 405 come from a catch-all of its own.
func TestAPIStaysJSONBesideAPageAtRoot(t *testing.T) {
	f := newFixture(t)
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<!doctype html>page") })
	router := New(Options{
		Logger:    slog.New(slog.DiscardHandler),
		Verifier:  f.verifier,
		BasePaths: []string{"/api", "/.netlify/functions/api"},
		Mounts:    map[string]http.Handler{"/": page},
	})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/nope", 404, ""},
		{"GET", "/api", 404, ""},
		{"GET", "/api/", 404, ""},
		{"GET", "/.netlify/functions/api/nope/deeper", 404, ""},
		{"POST", "/api/me", 405, "GET"},
		{"BREW", "/api/me", 405, "GET"},
		{"BREW", "/api/nope", 404, ""},
		{"GET", "/.netlify/functions/api/tokens", 405, "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, Content-Type %q, body %q; want %d JSON", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), tt.status)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
	for _, path := range []string{"/", "/elsewhere", "/apix", "/api-docs"} {
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "page") {
			t.Errorf("GET %s: %d %q, want the page", path, rec.Code, rec.Body.String())
		}
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name        string
		method      string
		path        string
		headers     map[string]string
		status      int
		allowOrigin string
	}{
		{"preflight from the SPA needs no token", http.MethodOptions, "/api/admin",
			map[string]string{"Origin": spaOrigin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
			200, spaOrigin},
		{"preflight from an unknown origin gets no allow header", http.MethodOptions, "/api/admin",
			map[string]string{"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"},
			200, ""},
		{"401 carries CORS headers for the SPA", http.MethodGet, "/api/admin",
			map[string]string{"Origin": spaOrigin}, 401, spaOrigin},
		{"403 carries CORS headers for the SPA", http.MethodGet, "/api/admin",
			map[string]string{"Origin": spaOrigin, "Authorization": "Bearer " + f.tokens["free"]}, 403, spaOrigin},
		{"an unknown origin gets the answer but no allow header", http.MethodGet, "/api/public",
			map[string]string{"Origin": "https://evil.test"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, tt.method, tt.path, tt.headers)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.allowOrigin)
			}
			if tt.allowOrigin == "" {
				return
			}
			if got := rec.Header().Get("Access-Control-Allow-Credentials"); got != "" {
				// The page sends its token in a header, never a cookie, to
				// the API: credentialed CORS would only widen what a
				// listed origin's script can do with a user's cookies.
				t.Errorf("Access-Control-Allow-Credentials = %q, want none", got)
			}
			if tt.method == http.MethodOptions {
				if got := strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
					t.Errorf("Access-Control-Allow-Headers = %q", got)
				}
			} else if got := rec.Header().Get("Access-Control-Expose-Headers"); !strings.Contains(got, "Www-Authenticate") {
				t.Errorf("Access-Control-Expose-Headers = %q, the SPA cannot read the challenge", got)
			}
		})
	}
}

// TestVary: every answer varies by Origin (CORS), a per-user answer also by
// Authorization, in one field line; with or without a browser's Origin.
func TestVary(t *testing.T) {
	f := newFixture(t)
	bearer := "Bearer " + f.tokens["admin"]
	tests := []struct {
		name, method, path string
		headers            map[string]string
		status             int
		vary               []string
		cache              string
	}{
		{"public, no Origin", "GET", "/api/public", nil, 200, []string{"Origin"}, ""},
		{"public, from the page", "GET", "/api/public", map[string]string{"Origin": spaOrigin}, 200, []string{"Origin"}, ""},
		{"me, no Origin", "GET", "/api/me", map[string]string{"Authorization": bearer}, 200, []string{"Origin, Authorization"}, "private, no-store"},
		{"me, from the page", "GET", "/api/me", map[string]string{"Authorization": bearer, "Origin": spaOrigin}, 200, []string{"Origin, Authorization"}, "private, no-store"},
		{"me, from elsewhere", "GET", "/api/me", map[string]string{"Authorization": bearer, "Origin": "https://evil.test"}, 200, []string{"Origin, Authorization"}, "private, no-store"},
		{"401", "GET", "/api/me", nil, 401, []string{"Origin"}, "no-store"},
		{"OPTIONS without Origin", "OPTIONS", "/api/me", nil, 405, []string{"Origin"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, tt.method, tt.path, tt.headers)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header()["Vary"]; !slices.Equal(got, tt.vary) {
				t.Errorf("Vary = %q, want %q", got, tt.vary)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
		})
	}
}

// TestHSTSOnlyOverHTTPS: Strict-Transport-Security on every answer that
// leaves over HTTPS (here, or behind a proxy that terminated TLS), never
// over plain HTTP (RFC 6797 §7.2).
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, target string
		headers      map[string]string
		want         bool
	}{
		{"plain HTTP", "/api/public", nil, false},
		{"TLS", "https://api.test/api/public", nil, true},
		{"behind a proxy that terminated TLS", "/api/public", map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"upper case", "/api/public", map[string]string{"X-Forwarded-Proto": "HTTPS"}, true},
		{"the first of a chain of proxies", "/api/public", map[string]string{"X-Forwarded-Proto": "https, http"}, true},
		{"a proxy that says http", "/api/public", map[string]string{"X-Forwarded-Proto": "http"}, false},
		{"a proxy chain that began with http", "/api/public", map[string]string{"X-Forwarded-Proto": "http, https"}, false},
		{"a 401 over HTTPS", "/api/me", map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"a 404 over HTTPS", "/api/nope", map[string]string{"X-Forwarded-Proto": "https"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, "GET", tt.target, tt.headers)
			got := rec.Header().Get("Strict-Transport-Security")
			if want := map[bool]string{true: "max-age=63072000; includeSubDomains"}[tt.want]; got != want {
				t.Errorf("Strict-Transport-Security = %q, want %q", got, want)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("security headers missing: %v", rec.Header())
			}
		})
	}
}

func TestCORSNeverPairsWildcardWithCredentials(t *testing.T) {
	h := corsHandler([]string{"*"})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	req := httptest.NewRequest(http.MethodGet, "/api/public", nil)
	req.Header.Set("Origin", "https://any.test")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Credentials") == "true" {
		t.Fatalf("wildcard origin with credentials: %v", rec.Header())
	}
}

func TestCORSMatchesOriginsExactly(t *testing.T) {
	// go-chi/cors reads a "*" inside an origin as a pattern; config refuses
	// such origins, and the handler never treats them as one either.
	tests := []struct {
		name    string
		origins []string
		origin  string
		want    string
	}{
		{"a listed origin is allowed", []string{"https://app.example.com"}, "https://app.example.com", "https://app.example.com"},
		{"a pattern-looking origin does not admit a look-alike host", []string{"https://*example.com"}, "https://evilexample.com", ""},
		{"a scheme with a wildcard does not admit every https origin", []string{"https://*"}, "https://evil.test", ""},
		{"a listed origin does not admit its upper-case spelling", []string{"https://app.example.com"}, "https://APP.example.com", ""},
		{"a lone * answers * to any origin", []string{"*"}, "https://any.test", "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := corsHandler(tt.origins)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			req := httptest.NewRequest(http.MethodGet, "/api/public", nil)
			req.Header.Set("Origin", tt.origin)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.want {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.want)
			}
			if got := rec.Header().Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("Access-Control-Allow-Credentials = %q, want none", got)
			}
		})
	}
}

func TestCORSWithNoOriginsAllowsNone(t *testing.T) {
	// go-chi/cors reads an empty origin list as "*": make sure we don't.
	h := corsHandler(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	req := httptest.NewRequest(http.MethodGet, "/api/public", nil)
	req.Header.Set("Origin", "https://any.test")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("Access-Control-Allow-Origin = %q with no configured origins", got)
	}
}

func TestGzip(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, http.MethodGet, "/api/me", map[string]string{
		"Authorization": "Bearer " + f.tokens["admin"], "Accept-Encoding": "gzip",
	})
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(plain), `"sub":"dev|admin-user"`) {
		t.Errorf("gunzipped body = %s", plain)
	}
	// Without Accept-Encoding the body is plain JSON.
	rec = f.do(t, http.MethodGet, "/api/public", nil)
	if rec.Header().Get("Content-Encoding") != "" || !json.Valid(rec.Body.Bytes()) {
		t.Errorf("uncompressed response: %q %s", rec.Header().Get("Content-Encoding"), rec.Body)
	}
}

func TestLogsNeverHoldCredentials(t *testing.T) {
	f := newFixture(t)
	secretish := f.tokens["admin"]
	f.do(t, "GET", "/api/admin", map[string]string{"Authorization": "Bearer " + secretish, "Cookie": "nf_jwt=" + secretish})
	f.do(t, "GET", "/api/admin?access_token="+secretish, nil)
	f.do(t, "GET", "/api/me/"+secretish, nil)
	f.do(t, "GET", "/api/admin", map[string]string{"Authorization": "Bearer " + secretish + "x"}) // forged
	f.do(t, "GET", "/api/admin", map[string]string{"Authorization": "Bearer " + f.tokens["free"]})
	logs := f.logs.String()
	sig := secretish[strings.LastIndex(secretish, ".")+1:]
	for _, leak := range []string{secretish, sig, f.tokens["free"], "Bearer", "nf_jwt"} {
		if strings.Contains(logs, leak) {
			t.Fatalf("logs contain %.30q...:\n%s", leak, logs)
		}
	}
	// Every refusal leaves an audit line naming the route and the reason.
	var audits []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "access denied" {
			audits = append(audits, m)
		}
	}
	// The query-string token and the forged one are 401s, the free user's a 403;
	// the admin's request and the 404 are no refusals.
	if len(audits) != 3 {
		t.Fatalf("audit lines = %d, want 3:\n%s", len(audits), logs)
	}
	last := audits[len(audits)-1]
	if last["route"] != "/api/admin" || last["status"] != float64(403) || last["sub"] != "dev|free-user" ||
		last["kid"] != f.issuer.KeyID() || !strings.Contains(last["reason"].(string), "role:admin") {
		t.Errorf("403 audit line = %v", last)
	}
}

func TestRequestLineCarriesSubjectAndStatus(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, "GET", "/api/paid", map[string]string{"Authorization": "Bearer " + f.tokens["paid"], "X-Request-Id": "req-123"})
	id := rec.Header().Get("X-Request-Id")
	if id == "" || id == "req-123" {
		t.Errorf("X-Request-Id = %q, want an id of our own", id)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(f.logs.String())), &line); err != nil {
		t.Fatalf("want exactly one JSON line, got %q", f.logs.String())
	}
	for k, want := range map[string]any{"msg": "request", "method": "GET", "path": "/api/paid", "route": "/api/paid",
		"status": float64(200), "sub": "dev|paid-user", "request_id": id, "client_request_id": "req-123"} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["duration"]; !ok {
		t.Error("no duration")
	}
}

func TestPanicBecomesJSON500(t *testing.T) {
	logs := &syncbuf.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	h := recoverer(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("db password is hunter2") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/me", nil))
	if rec.Code != 500 {
		t.Fatalf("status = %d", rec.Code)
	}
	body := decodeBody(t, rec)
	if body["error"] != "internal_error" || strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("body = %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "panic serving request") {
		t.Errorf("panic not logged: %s", logs)
	}
}

func TestMeBodyIsEncodingJSONs(t *testing.T) {
	exp := time.Unix(1795516200, 500).In(time.FixedZone("x", 3600))
	for _, p := range []*auth.Principal{
		{Subject: "dev|paid-user", Roles: []string{"paid"}, Permissions: []string{"read:profile"}, Scopes: []string{"openid"}, ExpiresAt: exp},
		{Subject: `odd "sub" <&> ` + "\u2028\xff", ExpiresAt: exp},
		{Subject: "", Roles: []string{}, Permissions: nil, Scopes: []string{"a", "b"}},
	} {
		rec := httptest.NewRecorder()
		handleMe(rec, httptest.NewRequest("GET", "/api/me", nil).WithContext(auth.NewContext(t.Context(), p)))
		var want strings.Builder
		_ = json.NewEncoder(&want).Encode(meResponse{Subject: p.Subject, Roles: p.Roles, Permissions: p.Permissions, Scopes: p.Scopes, ExpiresAt: p.ExpiresAt.UTC()})
		if rec.Body.String() != want.String() || rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("/me for %+v = %d %q %q, encoding/json writes %q", p, rec.Code, rec.Header().Get("Content-Type"), rec.Body, want.String())
		}
	}
}
