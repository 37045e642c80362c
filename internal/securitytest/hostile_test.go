package securitytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/lambdatest"
)

// TestHostileInput sends every case of the suite to the flagship binary as
// a local server over loopback, and as a Lambda function fed v1 and v2
// events through a Runtime API, and checks each answer and the logs. The
// cases about tokens also go to every other strategy: the functions the
// local server serves under /.netlify/functions, and the Netlify function
// binaries.
func TestHostileInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flagship binary")
	}
	iss := NewIssuer(t, audience, rolesClaim)
	f := forger{t: t, iss: iss, attacker: NewKey(t)}
	trap := newTrap(t, f)
	// Made afresh for each target: "expired within the clock skew" is
	// only that for a few seconds.
	cases := func() []hostileCase { return hostileCases(f, trap.URL) }
	if n := len(cases()); n < 40 {
		t.Fatalf("the suite has %d cases; it promises at least 40", n)
	}
	bin := lambdatest.Build(t, flagship)

	t.Run("local server", func(t *testing.T) {
		srv := startLocal(t, lambdatest.BuildLocal(t, flagship), iss)
		flagshipCases := cases()
		var all []hostileCase
		runSuite(t, iss, srv, func(t *testing.T) []hostileCase {
			runCases(t, srv, false, flagshipCases)
			all = append(all, flagshipCases...)
			for _, fn := range []string{"inline", "middleware", "decorator", authorizer} {
				t.Run("/.netlify/functions/"+fn, func(t *testing.T) {
					fnCases := retarget(cases(), "/.netlify/functions/"+fn, fn == authorizer)
					runCases(t, srv, false, fnCases)
					all = append(all, fnCases...)
				})
			}
			return all
		}, request{target: "/api/health"}, http.StatusOK)
	})
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("Lambda v%d event", version), func(t *testing.T) {
			fn := startLambda(t, bin, iss, version)
			runSuite(t, iss, fn, func(t *testing.T) []hostileCase {
				c := cases()
				runCases(t, fn, true, c)
				return c
			}, request{target: "/api/health"}, http.StatusOK)
		})
	}
	for _, name := range []string{"inline", "middleware", "decorator"} {
		t.Run("Netlify function "+name, func(t *testing.T) {
			fn := startLambda(t, lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/"+name), iss, 1)
			runSuite(t, iss, fn, func(t *testing.T) []hostileCase {
				c := retarget(cases(), "/.netlify/functions/"+name, false)
				runCases(t, fn, true, c)
				return c
			}, request{target: "/.netlify/functions/" + name + "/admin"}, http.StatusUnauthorized)
		})
	}
	if n := trap.hits.Load(); n != 0 {
		t.Errorf("keys named by token headers (jku, x5u) were fetched %d times; they must never be", n)
	}
}

// authorizer is the API Gateway authorizer strategy's function. An
// authorizer can only say "Unauthorized", which API Gateway answers with a
// bare 401: the reason a token is invalid never reaches the client.
const authorizer = "authorized"

// runSuite runs the cases run sends to tg, and then checks that tg still
// answers probe with status, that its logs are clean, and that the issuer
// was asked for keys a bounded number of times.
func runSuite(t *testing.T, iss *Issuer, tg target, run func(t *testing.T) []hostileCase, probe request, status int) {
	started := time.Now()
	_, jwksBefore := iss.Hits()
	cases := run(t)
	if r := tg.do(t, probe); r.status != status {
		t.Errorf("after the suite, %s = %d, want %d: the target no longer serves", probe.target, r.status, status)
	}
	tg.stop(t)
	// Every credential of the suite, whichever path it was sent to.
	checkLogs(t, tg.logs(), cases)
	// Unknown kids each ask for a refresh; the default rate limit
	// (JWKS_MIN_REFRESH_INTERVAL, 5s) turns them into a handful.
	_, jwks := iss.Hits()
	if fetches, bound := jwks-jwksBefore, 2+int64(time.Since(started)/(5*time.Second)); fetches > bound {
		t.Errorf("the issuer got %d JWKS requests in %s, want at most %d", fetches, time.Since(started).Round(time.Millisecond), bound)
	}
}

func runCases(t *testing.T, tg target, lambda bool, cases []hostileCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.status
			if lambda && c.lambda != 0 {
				want = c.lambda
			}
			checkAnswer(t, c.req, want, c.code, tg.do(t, c.req))
		})
	}
}

// retarget keeps the cases about tokens (those sent to /api/admin and
// /api/paid) and sends them to the same endpoint under base instead.
// Behind an authorizer every 401 is a bare "unauthorized".
func retarget(cases []hostileCase, base string, opaque401 bool) []hostileCase {
	var out []hostileCase
	for _, c := range cases {
		rest, ok := strings.CutPrefix(c.req.target, "/api/")
		if !ok || !(strings.HasPrefix(rest, "admin") || strings.HasPrefix(rest, "paid")) || strings.HasPrefix(rest, "admin/") {
			continue
		}
		c.req.target = base + "/" + rest
		if opaque401 && c.status == http.StatusUnauthorized {
			c.code = unauthorized
		}
		out = append(out, c)
	}
	return out
}

// describedBodies are the only bodies a 401, 403 or 503 may carry: the
// ones auth.Describe chooses, which say nothing about why.
var describedBodies = func() map[string]auth.Body {
	m := map[string]auth.Body{}
	for _, err := range []error{auth.ErrNoToken, auth.ErrInvalidToken, auth.ErrTokenExpired, auth.ErrIssuerNotAccepted, auth.ErrTokenUsed, auth.ErrForbidden, auth.ErrUnavailable} {
		b := auth.Describe(err).Body()
		m[b.Message] = b
	}
	return m
}()

// internals are words a client must never read in an answer: library
// names, Go error texts, the reasons auth keeps for the logs.
var internals = []string{
	"jose", "jwtmiddleware", "jwt-middleware", "validator", "chiadapter", "aws-lambda-go", "go-chi",
	"panic", "goroutine", "runtime error", ".go:", "json:", "invalid character", "unexpected end",
	"illegal base64", "x509", "crypto/", "rsa", "dial tcp", "connection refused", "deadline exceeded",
	"eof", "signature does not verify", "unknown key id", "malformed", "compact jws", "refused", "kid",
	"header parameter", "127.0.0.1",
}

func checkAnswer(t *testing.T, req request, want int, code string, r response) {
	t.Helper()
	if r.status != want {
		t.Errorf("status = %d, want %d; body %.300s", r.status, want, r.body)
	}
	if r.status >= 500 {
		t.Errorf("a hostile request got a %d", r.status)
	}
	lower := strings.ToLower(string(r.body))
	for _, word := range internals {
		if strings.Contains(lower, word) {
			t.Errorf("the body tells %q: %.300s", word, r.body)
		}
	}
	for _, s := range secretsOf(req) {
		if bytes.Contains(r.body, []byte(s)) {
			t.Errorf("the body echoes a credential: %.300s", r.body)
		}
		for name, values := range r.header {
			for _, v := range values {
				if strings.Contains(v, s) {
					t.Errorf("header %s echoes a credential", name)
				}
			}
		}
	}
	var body auth.Body
	jsonErr := json.Unmarshal(r.body, &body)
	switch r.status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable:
		if jsonErr != nil || describedBodies[body.Message] != body {
			t.Errorf("body %q is not one auth.Describe writes", r.body)
		}
		if r.status != http.StatusServiceUnavailable && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="fnguard"`) {
			t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
		}
	case http.StatusRequestHeaderFieldsTooLarge, http.StatusBadRequest:
		// Refused by the HTTP server before any handler: its own short
		// text, or our JSON from the Lambda adapter.
	default:
		if jsonErr != nil {
			t.Errorf("body is not JSON: %q", r.body)
		}
	}
	switch {
	case code == expired:
		if want := auth.Describe(auth.ErrTokenExpired).Body(); body != want {
			t.Errorf("body = %+v, want %+v", body, want)
		}
	case code != "" && body.Error != code:
		t.Errorf("error = %q, want %q", body.Error, code)
	}
}

// secretsOf returns the credentials a request carries: every header value
// and query value long enough to be one, the JWT-shaped words in them, and
// those words' signatures.
func secretsOf(r request) []string {
	var values []string
	for _, h := range r.header {
		values = append(values, h[1])
	}
	if _, q, ok := strings.Cut(r.target, "?"); ok {
		vs, _ := url.ParseQuery(q)
		for _, v := range vs {
			values = append(values, v...)
		}
	}
	if r.body != "" {
		values = append(values, r.body)
	}
	var out []string
	for _, v := range values {
		if len(v) >= 24 && strings.Contains(v, ".") {
			out = append(out, v)
		}
		for _, w := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" \t,;=&?\"{}:", r) }) {
			if strings.Count(w, ".") < 2 || len(w) < 24 {
				continue
			}
			out = append(out, w)
			if sig := w[strings.LastIndexByte(w, '.')+1:]; len(sig) >= 16 {
				out = append(out, sig)
			}
		}
	}
	return out
}

// checkLogs reads what a target logged over the whole suite: no
// credential of any case, every line one JSON object (no line forged by a
// value with a newline in it), and no panic.
func checkLogs(t *testing.T, logs string, cases []hostileCase) {
	t.Helper()
	for _, c := range cases {
		for _, s := range secretsOf(c.req) {
			if strings.Contains(logs, s) {
				t.Errorf("the logs hold a credential of %q", c.name)
				break
			}
		}
	}
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("log line is not one JSON object: %.200q", line)
			continue
		}
		if entry["msg"] == "forged" {
			t.Errorf("a request forged a log line: %.200q", line)
		}
	}
	if strings.Contains(logs, "panic") || strings.Contains(logs, "goroutine ") {
		t.Errorf("the logs mention a panic")
	}
}
