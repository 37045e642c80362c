package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
)

func newHandler(t testing.TB) (*Handler, *bytes.Buffer) {
	var logs bytes.Buffer
	log := logger.New(&logs, "json", slog.LevelDebug)
	return New(testRouter(log), log), &logs
}

// lambdaContext is what aws-lambda-go puts in the context of an invocation.
func lambdaContext(ctx context.Context, requestID string) context.Context {
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:api",
	})
}

func invoke(t *testing.T, h *Handler, payload []byte) response {
	t.Helper()
	out, err := h.Invoke(lambdaContext(t.Context(), "request-1"), payload)
	if err != nil {
		t.Fatalf("Invoke returned a function error: %v", err)
	}
	return parseResponse(t, out)
}

func echoOf(t *testing.T, r response) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal(r.content(t), &e); err != nil {
		t.Fatalf("body %q: %v", r.content(t), err)
	}
	return e
}

func TestInvokeRoutesBothPayloadVersions(t *testing.T) {
	h, _ := newHandler(t)
	tests := []struct {
		name  string
		event []byte
		want  echoed
	}{
		{"a Netlify v1 event is routed by its path", v1(t, "GET", "/api/echo"), echoed{Method: "GET", Path: "/api/echo"}},
		{
			"v1 query parameters reach the handler",
			v1(t, "GET", "/api/echo", set("queryStringParameters", map[string]string{"q": "a b"}),
				set("multiValueQueryStringParameters", map[string][]string{"q": {"a b"}})),
			echoed{Method: "GET", Path: "/api/echo", Query: "q=a+b"},
		},
		{
			"a v1 base64 body is decoded",
			v1(t, "POST", "/api/echo", set("body", base64.StdEncoding.EncodeToString([]byte(`{"a":1}`))), set("isBase64Encoded", true)),
			echoed{Method: "POST", Path: "/api/echo", Body: `{"a":1}`},
		},
		{"a lower-case v1 method is accepted", v1(t, "get", "/api/echo"), echoed{Method: "GET", Path: "/api/echo"}},
		{"a v2 Function URL event is routed by rawPath", v2(t, "GET", "/api/echo"), echoed{Method: "GET", Path: "/api/echo", Cookie: "theme=dark"}},
		{
			"v2 rawQueryString reaches the handler",
			v2(t, "GET", "/api/echo", set("rawQueryString", "q=a%20b&r=1")),
			echoed{Method: "GET", Path: "/api/echo", Query: "q=a%20b&r=1", Cookie: "theme=dark"},
		},
		{
			"a v2 event without rawPath is routed by requestContext.http.path",
			v2(t, "GET", "/api/echo", without("rawPath")),
			echoed{Method: "GET", Path: "/api/echo", Cookie: "theme=dark"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invoke(t, h, tt.event)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", r.StatusCode, r.Body)
			}
			got := echoOf(t, r)
			got.ProxyHeaders, got.Deadline = nil, 0
			if got.Method != tt.want.Method || got.Path != tt.want.Path || got.Query != tt.want.Query ||
				got.Body != tt.want.Body || got.Cookie != tt.want.Cookie {
				t.Errorf("handler saw %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestInvokeResponseShape(t *testing.T) {
	h, _ := newHandler(t)
	gzip := withHeader("accept-encoding", "gzip, deflate, br")
	tests := []struct {
		name       string
		event      []byte
		v2         bool
		wantStatus int
		wantGzip   bool
		wantError  string // the "error" member of a JSON error body
	}{
		{name: "a v1 response", event: v1(t, "GET", "/api/echo"), wantStatus: 200},
		{name: "a v1 gzip response", event: v1(t, "GET", "/api/echo", gzip), wantStatus: 200, wantGzip: true},
		{name: "a v1 unknown route is a 404 JSON", event: v1(t, "GET", "/api/nope"), wantStatus: 404, wantError: "not_found"},
		{name: "a v1 wrong method is a 405 JSON", event: v1(t, "PUT", "/api/echo"), wantStatus: 405, wantError: "method_not_allowed"},
		{name: "a v2 response", event: v2(t, "GET", "/api/echo"), v2: true, wantStatus: 200},
		{name: "a v2 gzip response", event: v2(t, "GET", "/api/echo", gzip), v2: true, wantStatus: 200, wantGzip: true},
		{name: "a v2 unknown route is a 404 JSON", event: v2(t, "GET", "/nope"), v2: true, wantStatus: 404, wantError: "not_found"},
		{name: "a v2 wrong method is a 405 JSON", event: v2(t, "DELETE", "/api/echo"), v2: true, wantStatus: 405, wantError: "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invoke(t, h, tt.event)
			if r.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.StatusCode, tt.wantStatus, r.Body)
			}
			if ct := r.header("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if tt.v2 {
				if r.MultiValueHeaders != nil {
					t.Errorf("v2 response has multiValueHeaders %v", r.MultiValueHeaders)
				}
			} else {
				// Netlify has ignored multiValueHeaders from Go functions:
				// every header must be in headers too.
				for name, values := range r.MultiValueHeaders {
					if got, want := r.Headers[name], strings.Join(values, ", "); got != want {
						t.Errorf("headers[%q] = %q, want %q as in multiValueHeaders", name, got, want)
					}
				}
				if len(r.Headers) != len(r.MultiValueHeaders) {
					t.Errorf("headers %v and multiValueHeaders %v differ", r.Headers, r.MultiValueHeaders)
				}
			}
			if tt.wantStatus == 200 {
				if got := r.header("X-Multi"); got != "a, b" && got != "a,b" {
					t.Errorf("X-Multi = %q, want both values", got)
				}
			}
			if enc := r.header("Content-Encoding"); tt.wantGzip != (enc == "gzip") || tt.wantGzip != r.IsBase64Encoded {
				t.Errorf("Content-Encoding %q, isBase64Encoded %v; want gzip and base64: %v", enc, r.IsBase64Encoded, tt.wantGzip)
			}
			var body map[string]any
			if err := json.Unmarshal(r.content(t), &body); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if tt.wantError != "" && body["error"] != tt.wantError {
				t.Errorf("error = %v, want %q", body["error"], tt.wantError)
			}
		})
	}
}

func TestInvokeAnswersBadEventsWith400(t *testing.T) {
	h, logs := newHandler(t)
	tests := []struct {
		name    string
		event   []byte
		v2      bool
		wantMsg string
	}{
		{name: "an event that is not JSON", event: []byte("GET /api/echo HTTP/1.1"), wantMsg: "not a JSON object"},
		{name: "an empty event", event: []byte{}, wantMsg: "not a JSON object"},
		{name: "a JSON array", event: []byte(`[{"httpMethod":"GET"}]`), wantMsg: "not a JSON object"},
		{name: "JSON null", event: []byte(`null`), wantMsg: "no valid HTTP method"},
		{name: "a v1 event without httpMethod", event: v1(t, "GET", "/api/echo", without("httpMethod")), wantMsg: "no valid HTTP method"},
		{name: "a v1 method with a space", event: v1(t, "GET /api/admin", "/api/echo"), wantMsg: "no valid HTTP method"},
		{name: "a v1 method that is not a token", event: v1(t, "G(E)T", "/api/echo"), wantMsg: "no valid HTTP method"},
		{name: "a v1 path with bad percent-encoding", event: v1(t, "GET", "/api/%zz"), wantMsg: "not a valid URL path"},
		{name: "a v1 path with a control character", event: v1(t, "GET", "/api/echo\x7f"), wantMsg: "not a valid URL path"},
		{name: "a v1 field of the wrong type", event: v1(t, "GET", "/api/echo", set("headers", []string{"x"})), wantMsg: "v1 shape"},
		{name: "a v1 body marked base64 that is not", event: v1(t, "POST", "/api/echo", set("body", "%%%"), set("isBase64Encoded", true)), wantMsg: "could not be turned into a request"},
		{name: "a v2 event without a method", event: v2(t, "", "/api/echo"), v2: true, wantMsg: "no valid HTTP method"},
		{name: "a v2 rawPath with bad percent-encoding", event: v2(t, "GET", "/api/%e"), v2: true, wantMsg: "not a valid URL path"},
		{name: "a v1 domain name that is no host", event: v1(t, "GET", "/api/echo", set("requestContext", map[string]any{"domainName": "bad host%zz"})), wantMsg: "not a valid host"},
		{name: "a v1 domain name that turns the path into a fragment", event: v1(t, "GET", "/api/echo?%zz", set("requestContext", map[string]any{"domainName": "fnguard.test#"})), wantMsg: "URL is not valid"},
		{name: "a v2 raw query that ends in a bad fragment", event: v2(t, "GET", "/api/echo", set("rawQueryString", "a=1#%zz")), v2: true, wantMsg: "URL is not valid"},
		{name: "a v2 field of the wrong type", event: v2(t, "GET", "/api/echo", set("cookies", "a=b")), v2: true, wantMsg: "v2 shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			r := invoke(t, h, tt.event)
			if r.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", r.StatusCode, r.Body)
			}
			if r.header("Content-Type") != "application/json" {
				t.Errorf("headers %v, want Content-Type application/json", r.Headers)
			}
			if tt.v2 == (r.MultiValueHeaders != nil) {
				t.Errorf("multiValueHeaders %v in a v2=%v answer", r.MultiValueHeaders, tt.v2)
			}
			var body auth.Body
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatalf("body %q: %v", r.Body, err)
			}
			if body.Error != "bad_request" || !strings.Contains(body.Message, tt.wantMsg) {
				t.Errorf("body %+v, want bad_request saying %q", body, tt.wantMsg)
			}
			if !strings.Contains(logs.String(), `"msg":"bad event"`) || !strings.Contains(logs.String(), `"lambda_request_id":"request-1"`) {
				t.Errorf("no bad event line with the request id in the logs:\n%s", logs)
			}
		})
	}
}

func TestInvokeDropsClientSentProxyHeaders(t *testing.T) {
	h, _ := newHandler(t)
	forged := `{"authorizer":{"claims":{"sub":"admin"}},"identity":{"sourceIp":"10.0.0.1"}}`
	tests := []struct {
		name  string
		event []byte
	}{
		{"v1 headers and multiValueHeaders", v1(t, "GET", "/api/echo",
			withHeader("X-GoLambdaProxy-ApiGw-Context", forged), withHeader("x-golambdaproxy-stagevars", `{"a":"b"}`))},
		{"v1 headers only", v1(t, "GET", "/api/echo", without("multiValueHeaders"),
			withHeader("X-GOLAMBDAPROXY-APIGW-CONTEXT", forged))},
		{"v2 headers", v2(t, "GET", "/api/echo", withHeader("x-golambdaproxy-apigw-context", forged))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invoke(t, h, tt.event)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d; body %s", r.StatusCode, r.Body)
			}
			if got := echoOf(t, r).ProxyHeaders; len(got) != 0 {
				t.Errorf("the handler saw %v", got)
			}
		})
	}
	for name, ev := range map[string][]byte{
		"v1": v1(t, "GET", "/api/echo", withHeader("X-GoLambdaProxy-ApiGw-Context", forged), withHeader("x-test", "kept")),
		"v2": v2(t, "GET", "/api/echo", withHeader("X-GoLambdaProxy-ApiGw-Context", forged), withHeader("x-test", "kept")),
	} {
		t.Run("other "+name+" headers still arrive", func(t *testing.T) {
			if got := echoOf(t, invoke(t, h, ev)).XTest; got != "kept" {
				t.Errorf("X-Test = %q, want kept", got)
			}
		})
	}
}

func TestInvokeTurnsAPanicInto500(t *testing.T) {
	h, logs := newHandler(t)
	for _, ev := range [][]byte{v1(t, "GET", "/api/panic"), v2(t, "GET", "/api/panic")} {
		r := invoke(t, h, ev)
		var body auth.Body
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || r.StatusCode != 500 || body.Error != "internal_error" {
			t.Errorf("answer %d %q, want a 500 internal_error JSON", r.StatusCode, r.Body)
		}
		if strings.Contains(r.Body, "boom") {
			t.Errorf("the panic value reached the client: %s", r.Body)
		}
	}
	if !strings.Contains(logs.String(), "panic serving invocation") {
		t.Errorf("panic not logged:\n%s", logs)
	}
}

func TestInvokeLogsTheLambdaRequestID(t *testing.T) {
	h, logs := newHandler(t)
	out, err := h.Invoke(lambdaContext(t.Context(), "c0ffee00-1111-4222-8333-444455556666"), v1(t, "GET", "/api/echo"))
	if err != nil {
		t.Fatal(err)
	}
	if parseResponse(t, out).StatusCode != 200 {
		t.Fatalf("answer %s", out)
	}
	var line struct {
		Msg             string `json:"msg"`
		Status          int    `json:"status"`
		LambdaRequestID string `json:"lambda_request_id"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want one JSON line, got %q: %v", logs, err)
	}
	if line.Msg != "request" || line.Status != 200 || line.LambdaRequestID != "c0ffee00-1111-4222-8333-444455556666" {
		t.Errorf("log line %+v", line)
	}
}

func TestInvokeStopsWaitingBeforeTheDeadline(t *testing.T) {
	h, _ := newHandler(t)
	tests := []struct {
		name        string
		timeLeft    time.Duration
		wantReserve time.Duration // at most, and no less than 90% of it
	}{
		{"a long invocation keeps half a second", 10 * time.Second, 500 * time.Millisecond},
		{"a short invocation keeps a tenth of its time", time.Second, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deadline := time.Now().Add(tt.timeLeft)
			ctx, cancel := context.WithDeadline(lambdaContext(t.Context(), "r"), deadline)
			defer cancel()
			out, err := h.Invoke(ctx, v1(t, "GET", "/api/echo"))
			if err != nil {
				t.Fatal(err)
			}
			seen := time.Unix(0, echoOf(t, parseResponse(t, out)).Deadline)
			reserve := deadline.Sub(seen)
			if reserve > tt.wantReserve || reserve < tt.wantReserve*9/10 {
				t.Errorf("the handler's deadline is %v before Lambda's, want about %v", reserve, tt.wantReserve)
			}
		})
	}
	t.Run("no deadline, none added", func(t *testing.T) {
		r := invoke(t, h, v1(t, "GET", "/api/echo"))
		if dl := echoOf(t, r).Deadline; dl != 0 {
			t.Errorf("the handler has a deadline %v", time.Unix(0, dl))
		}
	})
}

// TestInvokeReadsHeadersByTheRule: the adapter reads an event's headers as
// Header says, as guard and the authorizer do (issue 11 point 17).
func TestInvokeReadsHeadersByTheRule(t *testing.T) {
	h, _ := newHandler(t)
	tests := []struct {
		name  string
		event []byte
		want  string
	}{
		{"with multiValueHeaders {} the header in headers arrives",
			v1(t, "GET", "/api/echo", set("multiValueHeaders", map[string]any{}), set("headers", map[string]any{"x-test": "single"})), "single"},
		{"without multiValueHeaders the header in headers arrives",
			v1(t, "GET", "/api/echo", without("multiValueHeaders"), set("headers", map[string]any{"x-test": "single"})), "single"},
		{"with both, multiValueHeaders is read",
			v1(t, "GET", "/api/echo", set("multiValueHeaders", map[string]any{"x-test": []string{"multi"}}), set("headers", map[string]any{"x-test": "single"})), "multi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := echoOf(t, invoke(t, h, tt.event)).XTest; got != tt.want {
				t.Errorf("X-Test = %q, want %q", got, tt.want)
			}
		})
	}
}
