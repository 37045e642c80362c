package securitytest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/lambdatest"
)

// TestMalformedLambdaEvents feeds the function events no gateway should
// send: each still gets an HTTP answer (never a function error, which the
// caller would see as a 502), and nothing in them reaches the logs.
func TestMalformedLambdaEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flagship binary")
	}
	iss := NewIssuer(t, audience, rolesClaim)
	admin := iss.Token(t, "admin", time.Hour)
	free := iss.Token(t, "free", time.Hour)
	v1 := func(edit func(ev map[string]any)) []byte {
		ev := map[string]any{
			"httpMethod": "GET", "path": "/api/admin",
			"headers":        map[string]string{"Authorization": "Bearer " + admin},
			"requestContext": map[string]any{"domainName": "api.fnguard.test", "requestId": "req"},
		}
		edit(ev)
		return mustJSON(ev)
	}
	v2 := func(edit func(ev map[string]any, http map[string]any)) []byte {
		h := map[string]any{"method": "GET", "path": "/api/admin"}
		ev := map[string]any{
			"version": "2.0", "rawPath": "/api/admin",
			"headers":        map[string]string{"authorization": "Bearer " + admin},
			"requestContext": map[string]any{"domainName": "api.fnguard.test", "requestId": "req", "http": h},
		}
		edit(ev, h)
		return mustJSON(ev)
	}
	netlifyAdmin := lambdatest.NetlifyClientContext(mustJSON(map[string]any{
		"identity": map[string]any{"url": "https://evil.example/.netlify/identity", "token": "forged"},
		"user":     map[string]any{"sub": "dev|admin-user", "app_metadata": map[string]any{"roles": []string{"admin"}}},
	}))

	tests := []struct {
		name    string
		payload []byte
		opts    lambdatest.InvokeOptions
		status  int
	}{
		{"an event that is not JSON is 400", []byte(`GET /api/admin HTTP/1.1`), lambdatest.InvokeOptions{}, 400},
		{"a JSON array is 400", []byte(`[{"httpMethod":"GET","path":"/api/public"}]`), lambdatest.InvokeOptions{}, 400},
		{"a JSON string is 400", []byte(`"GET /api/public"`), lambdatest.InvokeOptions{}, 400},
		{"null is 400", []byte(`null`), lambdatest.InvokeOptions{}, 400},
		{"an empty object is 400", []byte(`{}`), lambdatest.InvokeOptions{}, 400},
		{"JSON nested 100000 deep is 400", []byte(strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)), lambdatest.InvokeOptions{}, 400},
		{"v1 without a method is 400", v1(func(ev map[string]any) { delete(ev, "httpMethod") }), lambdatest.InvokeOptions{}, 400},
		{"v1 with a whole request line as method is 400", v1(func(ev map[string]any) { ev["httpMethod"] = "GET /api/public HTTP/1.1" }), lambdatest.InvokeOptions{}, 400},
		{"v1 with a method that is not an HTTP token is 400", v1(func(ev map[string]any) {
			ev["httpMethod"] = "G(T"
			ev["path"] = "/api/me/" + admin
		}), lambdatest.InvokeOptions{}, 400},
		{"v1 with a domain name that breaks the URL is 400", v1(func(ev map[string]any) {
			ev["requestContext"] = map[string]any{"domainName": "bad host%zz"}
			ev["path"] = "/api/me/" + admin
		}), lambdatest.InvokeOptions{}, 400},
		{"v1 with headers of the wrong type is 400", v1(func(ev map[string]any) { ev["headers"] = 5 }), lambdatest.InvokeOptions{}, 400},
		{"v1 with multiValueHeaders of the wrong type is 400", v1(func(ev map[string]any) { ev["multiValueHeaders"] = []string{"Authorization"} }), lambdatest.InvokeOptions{}, 400},
		{"v1 with a body that is not base64 is 400", v1(func(ev map[string]any) {
			ev["isBase64Encoded"] = true
			ev["body"] = "%%% not base64 " + admin
		}), lambdatest.InvokeOptions{}, 400},
		{"v1 with bad percent-encoding in the path is 400", v1(func(ev map[string]any) { ev["path"] = "/api/%zz/" + admin }), lambdatest.InvokeOptions{}, 400},
		{"v1 with an empty path is 404", v1(func(ev map[string]any) { ev["path"] = "" }), lambdatest.InvokeOptions{}, 404},
		{"v1 with a lower-case method is served", v1(func(ev map[string]any) { ev["httpMethod"] = "get" }), lambdatest.InvokeOptions{}, 200},
		{"v1 with two path members routes the last, still guarded", []byte(`{"httpMethod":"GET","path":"/api/public","path":"/api/admin"}`), lambdatest.InvokeOptions{}, 401},
		{"v1 where multiValueHeaders disagree with headers uses multiValueHeaders", v1(func(ev map[string]any) {
			ev["multiValueHeaders"] = map[string][]string{"Authorization": {"Bearer " + free}}
		}), lambdatest.InvokeOptions{}, 403},
		{"v1 with authorizer claims forged in the request context is 401", v1(func(ev map[string]any) {
			delete(ev, "headers")
			ev["requestContext"] = map[string]any{"authorizer": map[string]any{"claims": map[string]any{"sub": "dev|admin-user", "https://fnguard.dev/roles": []string{"admin"}}}}
		}), lambdatest.InvokeOptions{}, 401},
		{"a Netlify identity forged in the client context is 401 on the flagship", v1(func(ev map[string]any) { delete(ev, "headers") }),
			lambdatest.InvokeOptions{ClientContext: netlifyAdmin}, 401},
		{"v1 with a 5 MB Authorization header is 401", v1(func(ev map[string]any) {
			ev["headers"] = map[string]string{"Authorization": "Bearer " + strings.Repeat("A", 5<<20)}
		}), lambdatest.InvokeOptions{}, 401},
		{"v2 without a method is 400", v2(func(ev, h map[string]any) { delete(h, "method") }), lambdatest.InvokeOptions{}, 400},
		{"v2 with bad percent-encoding in rawPath is 400", v2(func(ev, h map[string]any) { ev["rawPath"] = "/api/%E0%A4%A/" + admin }), lambdatest.InvokeOptions{}, 400},
		{"v2 with a domain name that breaks the URL is 400", v2(func(ev, h map[string]any) {
			ev["requestContext"].(map[string]any)["domainName"] = "bad host%zz"
			ev["rawPath"] = "/api/me/" + admin
		}), lambdatest.InvokeOptions{}, 400},
		{"v2 with a version that is not a string is 400", v2(func(ev, h map[string]any) { ev["version"] = 2 }), lambdatest.InvokeOptions{}, 400},
		{"v2 with null headers is 401", v2(func(ev, h map[string]any) { ev["headers"] = nil }), lambdatest.InvokeOptions{}, 401},
		{"v2 with cookies of the wrong type is 400", v2(func(ev, h map[string]any) { ev["cookies"] = "access_token=" + admin }), lambdatest.InvokeOptions{}, 400},
	}

	bin := lambdatest.Build(t, flagship)
	fn := startLambda(t, bin, iss, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fn.invoke(t, tt.payload, tt.opts)
			checkAnswer(t, request{}, tt.status, "", r)
			if strings.Contains(string(r.body), admin) {
				t.Errorf("the body echoes the token")
			}
		})
	}
	if r := fn.do(t, request{target: "/api/health"}); r.status != 200 {
		t.Errorf("after the events, /api/health = %d, want 200", r.status)
	}
	fn.stop(t)
	logs := fn.logs()
	for _, tok := range []string{admin, free, admin[strings.LastIndexByte(admin, '.')+1:]} {
		if strings.Contains(logs, tok) {
			t.Errorf("the function's output holds a token:\n%.2000s", logs)
		}
	}
}

// TestLambdaDeadline: a request never outlives its invocation. With the
// issuer hanging, the wait for keys ends before the deadline, early enough
// for the function to answer (Lambda kills a function at its deadline, and
// the caller then gets a 502 instead of our 503 or 401).
func TestLambdaDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flagship binary")
	}
	bin := lambdatest.Build(t, flagship)
	// lambdahttp keeps a tenth of it (at most 500ms) back to answer in.
	const budget = 3 * time.Second

	tests := []struct {
		name string
		// warm loads the keys before the issuer starts hanging.
		warm   bool
		token  func(iss *Issuer) string
		status int
	}{
		{"cold start, issuer hanging: 503 before the deadline", false,
			func(iss *Issuer) string { return iss.Token(t, "admin", time.Hour) }, 503},
		{"known keys, unknown kid, issuer hanging: 401 before the deadline", true,
			func(iss *Issuer) string {
				return iss.Sign(t, map[string]any{"kid": "rotated-in-maybe"}, iss.Claims(t, "admin", time.Hour))
			}, 401},
		{"known keys, valid token, issuer hanging: 200 at once", true,
			func(iss *Issuer) string { return iss.Token(t, "admin", time.Hour) }, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := NewIssuer(t, audience, rolesClaim)
			// The least rate limit config allows (1s): the unknown kid must
			// make the function wait on the hanging issuer, not be refused
			// because the warm-up fetched the keys a moment ago.
			fn := startLambda(t, bin, iss, 2, "JWKS_MIN_REFRESH_INTERVAL=1s")
			if tt.warm {
				if r := fn.do(t, bearer("/api/admin", iss.Token(t, "admin", time.Hour))); r.status != 200 {
					t.Fatalf("warm-up: %d", r.status)
				}
				time.Sleep(1100 * time.Millisecond)
			}
			iss.Set(Slow)
			deadline := time.Now().Add(budget)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := fn.rt.Invoke(ctx, fn.event(bearer("/api/admin", tt.token(iss))), lambdatest.InvokeOptions{Deadline: deadline})
			answered := time.Now()
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			if answered.After(deadline) {
				t.Errorf("the answer came %s after the deadline", answered.Sub(deadline).Round(time.Millisecond))
			}
			if d, j := iss.Hits(); tt.status != 200 && d+j == 0 {
				t.Errorf("the issuer was never asked for keys: the deadline was not put to the test")
			}
			if res.Err != nil {
				t.Fatalf("function error: %v", res.Err)
			}
			var out struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(res.Body, &out); err != nil || out.StatusCode != tt.status {
				t.Errorf("status = %d (%v), want %d", out.StatusCode, err, tt.status)
			}
		})
	}
}
