package main

// The flagship as a real Lambda function: built as Netlify builds it, run as
// its own process, and driven through the Lambda Runtime API on loopback
// with events shaped like Netlify's (payload v1) and a Function URL's (v2).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/lambdatest"
)

func TestMain(m *testing.M) { lambdatest.Main(m) }

const lambdaAudience = "https://api.fnguard.test"

var lambdaKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// newLambdaIssuer serves a development issuer at the root of a loopback
// server: the "real" issuer the function is configured with. wrap, when
// not nil, stands between the issuer and its clients.
func newLambdaIssuer(t *testing.T, wrap func(http.Handler) http.Handler) *devissuer.Issuer {
	t.Helper()
	key, err := lambdaKey()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss := devissuer.New(srv.URL+"/", key, lambdaAudience, auth.DefaultRolesClaim)
	var h http.Handler = iss.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	mux.Handle("/", h)
	return iss
}

// flagshipBuilds are the two Lambda builds of the flagship, which must
// answer alike: the root command (plain AWS Lambda, Docker) and the Netlify
// function Netlify builds from netlify/functions/api.
var flagshipBuilds = []struct{ name, pkg string }{
	{"root command", "."},
	{"netlify function", "./netlify/functions/api"},
}

// startLambda builds the flagship like Netlify and the Makefile do and
// starts it against a fresh Runtime, configured for iss.
func startLambda(t *testing.T, iss *devissuer.Issuer, env ...string) (*lambdatest.Runtime, *lambdatest.Process) {
	t.Helper()
	return startLambdaBuild(t, ".", iss, env...)
}

// startLambdaBuild is startLambda for the main package pkg.
func startLambdaBuild(t *testing.T, pkg string, iss *devissuer.Issuer, env ...string) (*lambdatest.Runtime, *lambdatest.Process) {
	t.Helper()
	bin := lambdatest.Build(t, pkg)
	rt := lambdatest.NewRuntime(t)
	p := rt.Start(bin, append([]string{"AUTH_ISSUER_URL=" + iss.URL, "AUTH0_AUDIENCE=" + lambdaAudience}, env...)...)
	return rt, p
}

func mint(t *testing.T, iss *devissuer.Issuer, persona string) string {
	t.Helper()
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iss.Mint(p, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// lambdaEvent reads testdata/events/fixture and points it at method and
// path. Events are edited as maps so they keep exactly the platform's
// fields (Netlify's v1 events have no requestContext at all).
func lambdaEvent(t *testing.T, fixture, method, path string, headers map[string]string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "events", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", fixture, err)
	}
	if ev["version"] == "2.0" {
		ev["rawPath"] = path
		h := ev["requestContext"].(map[string]any)["http"].(map[string]any)
		h["method"], h["path"] = method, path
	} else {
		ev["httpMethod"], ev["path"] = method, path
		ev["rawUrl"] = "https://fnguard.netlify.app" + path
	}
	for k, v := range headers {
		ev["headers"].(map[string]any)[k] = v
		if mv, ok := ev["multiValueHeaders"].(map[string]any); ok {
			mv[k] = []string{v}
		}
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func bearer(token string) map[string]string {
	if token == "" {
		return nil
	}
	return map[string]string{"authorization": "Bearer " + token}
}

// lambdaResponse holds both payload versions' response fields.
type lambdaResponse struct {
	RequestID         string              `json:"-"`
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func (r lambdaResponse) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// jsonBody decodes the body as a client would: base64, then gzip if so encoded.
func (r lambdaResponse) jsonBody(t *testing.T) map[string]any {
	t.Helper()
	b := []byte(r.Body)
	if r.IsBase64Encoded {
		var err error
		if b, err = base64.StdEncoding.DecodeString(r.Body); err != nil {
			t.Fatalf("isBase64Encoded body: %v", err)
		}
	}
	if r.header("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body: %v", err)
		}
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", b, err)
	}
	return v
}

// invokeLambda sends event and returns the function's HTTP answer; a
// function error fails the test: every event deserves an HTTP answer.
func invokeLambda(t *testing.T, rt *lambdatest.Runtime, event []byte, opts lambdatest.InvokeOptions) lambdaResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res, err := rt.Invoke(ctx, event, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("function error %v for %s", res.Err, event)
	}
	var r lambdaResponse
	if err := json.Unmarshal(res.Body, &r); err != nil {
		t.Fatalf("response %q: %v", res.Body, err)
	}
	r.RequestID = res.RequestID
	return r
}

func TestLambdaPersonaMatrix(t *testing.T) {
	for _, b := range flagshipBuilds {
		t.Run(b.name, func(t *testing.T) { testLambdaPersonaMatrix(t, b.pkg) })
	}
}

func testLambdaPersonaMatrix(t *testing.T, pkg string) {
	iss := newLambdaIssuer(t, nil)
	rt, _ := startLambdaBuild(t, pkg, iss)
	tokens := map[string]string{
		"anonymous": "",
		"invalid":   mint(t, iss, "admin")[:40] + "xxxx.yyyy.zzzz",
		"free":      mint(t, iss, "free"),
		"paid":      mint(t, iss, "paid"),
		"admin":     mint(t, iss, "admin"),
	}
	type want struct {
		status int
		error  string // "error" member of the body and of the challenge
	}
	ok, anon := want{200, ""}, want{401, "unauthorized"}
	invalid, forbidden := want{401, "invalid_token"}, want{403, "insufficient_scope"}
	matrix := map[string]map[string]want{
		"/health": {"anonymous": ok, "invalid": ok, "free": ok, "paid": ok, "admin": ok},
		"/public": {"anonymous": ok, "invalid": ok, "free": ok, "paid": ok, "admin": ok},
		"/me":     {"anonymous": anon, "invalid": invalid, "free": ok, "paid": ok, "admin": ok},
		"/paid":   {"anonymous": anon, "invalid": invalid, "free": forbidden, "paid": ok, "admin": ok},
		"/admin":  {"anonymous": anon, "invalid": invalid, "free": forbidden, "paid": forbidden, "admin": ok},
	}
	forms := []struct{ name, fixture, base string }{
		{"netlify direct call", "netlify-v1.json", "/.netlify/functions/api"},
		{"netlify behind the /api rewrite", "netlify-v1.json", "/api"},
		{"function URL v2", "function-url-v2.json", "/api"},
	}
	for _, form := range forms {
		for route, byPersona := range matrix {
			for persona, w := range byPersona {
				t.Run(form.name+" "+persona+" GET "+route, func(t *testing.T) {
					r := invokeLambda(t, rt, lambdaEvent(t, form.fixture, "GET", form.base+route, bearer(tokens[persona])), lambdatest.InvokeOptions{})
					if r.StatusCode != w.status {
						t.Fatalf("status %d, want %d; body %s", r.StatusCode, w.status, r.Body)
					}
					body := r.jsonBody(t)
					challenge := r.header("WWW-Authenticate")
					switch w.status {
					case 200:
						if route == "/me" && body["sub"] != "dev|"+persona+"-user" {
							t.Errorf("sub = %v, want the %s persona", body["sub"], persona)
						}
					case 401, 403:
						if body["error"] != w.error {
							t.Errorf("error = %v, want %s", body["error"], w.error)
						}
						if !strings.HasPrefix(challenge, `Bearer realm="fnguard"`) {
							t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", challenge)
						}
						if w.status == 403 || w.error == "invalid_token" {
							if !strings.Contains(challenge, `error="`+w.error+`"`) {
								t.Errorf("WWW-Authenticate = %q, want error=%q", challenge, w.error)
							}
						} else if strings.Contains(challenge, "error=") {
							// RFC 6750 §3.1: no error code when no credentials came.
							t.Errorf("WWW-Authenticate = %q for a request without a token", challenge)
						}
					}
				})
			}
		}
	}
}

func TestLambdaHTTP(t *testing.T) {
	for _, b := range flagshipBuilds {
		t.Run(b.name, func(t *testing.T) { testLambdaHTTP(t, b.pkg) })
	}
}

func testLambdaHTTP(t *testing.T, pkg string) {
	iss := newLambdaIssuer(t, nil)
	rt, _ := startLambdaBuild(t, pkg, iss)
	admin := mint(t, iss, "admin")
	v1 := func(method, path string, h map[string]string) []byte {
		return lambdaEvent(t, "netlify-v1.json", method, path, h)
	}
	tests := []struct {
		name       string
		event      []byte
		wantStatus int
		wantError  string // "error" member of the JSON body
		wantGzip   bool
	}{
		{name: "gzip is base64 with isBase64Encoded", wantStatus: 200, wantGzip: true,
			event: v1("GET", "/api/me", map[string]string{"authorization": "Bearer " + admin, "accept-encoding": "gzip, deflate, br"})},
		{name: "gzip on a v2 event too", wantStatus: 200, wantGzip: true,
			event: lambdaEvent(t, "function-url-v2.json", "GET", "/api/me", map[string]string{"authorization": "Bearer " + admin, "accept-encoding": "gzip"})},
		{name: "an unknown route is a 404 JSON", event: v1("GET", "/api/nope", nil), wantStatus: 404, wantError: "not_found"},
		{name: "a path outside the API is a 404 JSON", event: v1("GET", "/.netlify/functions/other/me", nil), wantStatus: 404, wantError: "not_found"},
		{name: "a token only in headers beside an empty multiValueHeaders is read (eventheader.Header's rule)", wantStatus: 200,
			event: []byte(`{"httpMethod":"GET","path":"/api/me","headers":{"authorization":"Bearer ` + admin + `"},"multiValueHeaders":{}}`)},
		{name: "a wrong method is a 405 JSON", event: v1("DELETE", "/api/me", bearer(admin)), wantStatus: 405, wantError: "method_not_allowed"},
		{name: "an event that is not JSON is a 400", event: []byte("GET /api/me HTTP/1.1\r\n"), wantStatus: 400, wantError: "bad_request"},
		{name: "an event without httpMethod is a 400", event: []byte(`{"path":"/api/me","headers":{},"isBase64Encoded":false}`), wantStatus: 400, wantError: "bad_request"},
		{name: "bad percent-encoding in the path is a 400", event: v1("GET", "/api/%zz", nil), wantStatus: 400, wantError: "bad_request"},
		{name: "a forged X-GoLambdaProxy-ApiGw-Context grants nothing", wantStatus: 401, wantError: "unauthorized",
			event: v1("GET", "/api/admin", map[string]string{
				"X-GoLambdaProxy-ApiGw-Context": `{"authorizer":{"claims":{"sub":"dev|admin-user","https://fnguard.dev/roles":["admin"]}}}`,
			})},
		{name: "the development issuer's keys are not served", event: v1("GET", "/dev-issuer/.well-known/jwks.json", nil), wantStatus: 404, wantError: "not_found"},
		{name: "the development issuer's discovery is not served", event: v1("GET", "/dev-issuer/.well-known/openid-configuration", nil), wantStatus: 404, wantError: "not_found"},
		{name: "the development nf_jwt exchange is not served", event: v1("POST", "/dev-issuer/netlify-token", bearer(admin)), wantStatus: 404, wantError: "not_found"},
		{name: "the development nf_jwt exchange is not served under the API either", event: v1("POST", "/api/dev-issuer/netlify-token", bearer(admin)), wantStatus: 404, wantError: "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invokeLambda(t, rt, tt.event, lambdatest.InvokeOptions{})
			if r.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.StatusCode, tt.wantStatus, r.Body)
			}
			if ct := r.header("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			// The fixtures' events came over HTTPS (X-Forwarded-Proto), and
			// every answer of the router says so.
			if wantHSTS := bytes.Contains(tt.event, []byte(`"x-forwarded-proto"`)) && tt.wantStatus != 400; wantHSTS != (r.header("Strict-Transport-Security") != "") {
				t.Errorf("Strict-Transport-Security %q, want one: %v", r.header("Strict-Transport-Security"), wantHSTS)
			}
			if enc := r.header("Content-Encoding"); tt.wantGzip != (enc == "gzip") || tt.wantGzip != r.IsBase64Encoded {
				t.Errorf("Content-Encoding %q, isBase64Encoded %v; want gzip and base64: %v", enc, r.IsBase64Encoded, tt.wantGzip)
			}
			// Netlify has ignored multiValueHeaders from Go functions: v1
			// answers carry every header in headers too.
			for name, values := range r.MultiValueHeaders {
				if got := r.Headers[name]; got != strings.Join(values, ", ") {
					t.Errorf("headers[%q] = %q, multiValueHeaders has %q", name, got, values)
				}
			}
			body := r.jsonBody(t)
			if tt.wantError != "" && body["error"] != tt.wantError {
				t.Errorf("body %v, want error %q", body, tt.wantError)
			}
			if tt.wantGzip && body["sub"] != "dev|admin-user" {
				t.Errorf("gunzipped body %v, want the admin's /me", body)
			}
		})
	}
}

// The helpers other functions' tests use: a request turned into a Netlify
// event, the answer read back as an *http.Response.
func TestLambdaServesNetlifyEventsBuiltFromRequests(t *testing.T) {
	iss := newLambdaIssuer(t, nil)
	rt, _ := startLambda(t, iss)
	tests := []struct {
		persona    string
		wantStatus int
	}{
		{"admin", http.StatusOK},
		{"paid", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.persona+" GET /api/admin", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://fnguard.netlify.app/api/admin", nil)
			req.Header.Set("Authorization", "Bearer "+mint(t, iss, tt.persona))
			res, err := rt.Invoke(t.Context(), lambdatest.NetlifyEvent(req), lambdatest.InvokeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := res.HTTP()
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%d %v, want %d with a JSON body", resp.StatusCode, resp.Header, tt.wantStatus)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") == "" {
				t.Errorf("security and cache headers missing: %v", resp.Header)
			}
		})
	}
}

func TestLambdaRefusesToStartWithoutAnIssuer(t *testing.T) {
	for _, b := range flagshipBuilds {
		t.Run(b.name, func(t *testing.T) {
			bin := lambdatest.Build(t, b.pkg)
			rt := lambdatest.NewRuntime(t)
			// The development issuer would hand admin tokens to anyone: in
			// Lambda its absence must stop the function, not fall back to it.
			p := rt.Start(bin, "AUTH0_AUDIENCE="+lambdaAudience)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			state, err := p.Wait(ctx)
			if err != nil {
				t.Fatalf("the function is still running without an issuer: %v\n%s", err, p.Stderr())
			}
			if state.Success() || !strings.Contains(p.Stderr(), "AUTH0_DOMAIN") {
				t.Errorf("exit %v, stderr %q; want a failure naming AUTH0_DOMAIN", state, p.Stderr())
			}
		})
	}
}

// TestLambdaBuildHasNoLocalServer runs the deployed artifacts outside
// Lambda: the local server, the development issuer and the token commands
// are compiled out of them, so nothing in production can start them.
func TestLambdaBuildHasNoLocalServer(t *testing.T) {
	tests := []struct {
		pkg  string
		args []string
	}{
		{".", nil}, {".", []string{"token", "--role", "admin"}}, {".", []string{"netlify-token", "--role", "admin"}},
		{"./netlify/functions/api", nil}, {"./netlify/functions/api", []string{"token", "--role", "admin"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %q is refused", tt.pkg, tt.args), func(t *testing.T) {
			bin := lambdatest.Build(t, tt.pkg)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			// No issuer and no Runtime API: an untagged build would start
			// the development issuer here.
			cmd.Env = []string{"PORT=0", "HOME=" + t.TempDir(), "DEV_ISSUER_KEY_FILE=" + t.TempDir() + "/k.pem"}
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "built for AWS Lambda") {
				t.Fatalf("err %v, output %q; want a refusal naming the Lambda build", err, out)
			}
			if strings.Contains(string(out), "eyJ") || strings.Contains(string(out), "listening") {
				t.Fatalf("the Lambda build served or signed something: %q", out)
			}
		})
	}
}

// TestLambdaBuildsLeaveTheDevelopmentIssuerOut reads what each deployed
// build links: the development issuer, which signs admin tokens for anyone,
// and the local server's page must not be in a binary that reaches
// production, even switched off.
func TestLambdaBuildsLeaveTheDevelopmentIssuerOut(t *testing.T) {
	for _, b := range flagshipBuilds {
		t.Run(b.name+" links no development issuer", func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), "go", "list", "-tags", "lambda.norpc", "-deps", b.pkg)
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list %s: %v", b.pkg, err)
			}
			deps := strings.Fields(string(out))
			if !slices.Contains(deps, "github.com/fnguard/fnguard/flagship") {
				t.Fatalf("%s does not build the flagship from package flagship; links %v", b.pkg, deps)
			}
			for _, banned := range []string{"github.com/fnguard/fnguard/auth/devissuer", "github.com/fnguard/fnguard/webapp"} {
				if slices.Contains(deps, banned) {
					t.Errorf("%s links %s", b.pkg, banned)
				}
			}
		})
	}
}

func TestLambdaLogs(t *testing.T) {
	iss := newLambdaIssuer(t, nil)
	rt, p := startLambda(t, iss)
	admin, free := mint(t, iss, "admin"), mint(t, iss, "free")
	forged := free[:strings.LastIndexByte(free, '.')] + ".c2lnbmF0dXJl"
	events := []struct {
		event      []byte
		wantStatus int
	}{
		{lambdaEvent(t, "netlify-v1.json", "GET", "/api/me", bearer(admin)), 200},
		{lambdaEvent(t, "netlify-v1.json", "GET", "/api/admin", bearer(free)), 403},
		{lambdaEvent(t, "function-url-v2.json", "GET", "/api/me", bearer(forged)), 401},
		// Clients do put tokens in URLs; they must not reach the logs either.
		{lambdaEvent(t, "netlify-v1.json", "GET", "/api/"+admin, nil), 404},
		{lambdaEvent(t, "function-url-v2.json", "GET", "/api/me?access_token="+admin, bearer(admin)), 200},
		{[]byte(`{"httpMethod":"GET","path":"/api/%zz` + admin + `","headers":{"authorization":"Bearer ` + admin + `"}}`), 400},
	}
	var ids []string
	for _, e := range events {
		r := invokeLambda(t, rt, e.event, lambdatest.InvokeOptions{})
		if r.StatusCode != e.wantStatus {
			t.Fatalf("status %d, want %d for %s", r.StatusCode, e.wantStatus, e.event)
		}
		ids = append(ids, r.RequestID)
	}
	p.Stop()

	secrets := []string{admin, free, forged, "Bearer "}
	for _, tok := range []string{admin, free, forged} {
		secrets = append(secrets, tok[strings.LastIndexByte(tok, '.')+1:]) // the signature alone
	}
	for name, out := range map[string]string{"stdout": p.Stdout(), "stderr": p.Stderr()} {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s holds a credential (%.20s...):\n%s", name, s, out)
			}
		}
	}

	// Every line is JSON, and every invocation left a line with its
	// Lambda request id.
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(p.Stderr()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("stderr line is not JSON: %q", sc.Text())
			continue
		}
		if id, ok := line["lambda_request_id"].(string); ok {
			seen[id] = true
		}
	}
	for i, id := range ids {
		if !seen[id] {
			t.Errorf("no log line with lambda_request_id %s (invocation %d):\n%s", id, i, p.Stderr())
		}
	}
	if !strings.Contains(p.Stderr(), `"msg":"access denied"`) {
		t.Errorf("no audit line for the 401 and 403:\n%s", p.Stderr())
	}
}

func TestLambdaAnswersBeforeTheDeadlineWhenTheIssuerHangs(t *testing.T) {
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	iss := newLambdaIssuer(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/jwks.json") {
				next.ServeHTTP(w, r)
				return
			}
			select {
			case asked <- struct{}{}:
			default:
			}
			select { // hang until the client or the test gives up
			case <-r.Context().Done():
			case <-release:
			}
		})
	})
	t.Cleanup(func() { close(release) })
	rt, _ := startLambda(t, iss)
	token := mint(t, iss, "admin")

	deadline := time.Now().Add(3 * time.Second)
	// The margin covers only the trip back through the Runtime API: the
	// function must not wait for the JWKS past its own deadline.
	ctx, cancel := context.WithDeadline(t.Context(), deadline.Add(2*time.Second))
	defer cancel()
	res, err := rt.Invoke(ctx, lambdaEvent(t, "netlify-v1.json", "GET", "/api/me", bearer(token)), lambdatest.InvokeOptions{Deadline: deadline})
	if err != nil {
		t.Fatalf("no answer by the deadline plus a margin: %v", err)
	}
	t.Logf("answered %v before the deadline", time.Until(deadline).Round(time.Millisecond))
	if res.Err != nil {
		t.Fatalf("function error %v", res.Err)
	}
	select {
	case <-asked:
	default:
		t.Fatal("the function never asked for the JWKS")
	}
	var r lambdaResponse
	if err := json.Unmarshal(res.Body, &r); err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != http.StatusServiceUnavailable && r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 503 (or 401); body %s", r.StatusCode, r.Body)
	}
	if body := r.jsonBody(t); body["error"] == nil || strings.Contains(r.Body, "context deadline") {
		t.Errorf("body %s, want an error code and no internals", r.Body)
	}
}
