package lambdatest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const api = "/2018-06-01/runtime/"

// recorder is a testing.TB that keeps what the Runtime reports with Errorf
// instead of failing the test, so tests can assert that misuse is reported.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) reported() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// call is one request of a hand-written runtime client.
func call(t *testing.T, rt *Runtime, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+rt.Addr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(b)
}

type outcome struct {
	res Result
	err error
}

// invokeAsync starts an Invoke; the test plays the function meanwhile.
func invokeAsync(ctx context.Context, rt *Runtime, payload string, opts InvokeOptions) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		res, err := rt.Invoke(ctx, []byte(payload), opts)
		ch <- outcome{res, err}
	}()
	return ch
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRuntimeNextCarriesTheEventAndItsMetadata(t *testing.T) {
	rt := NewRuntime(t)
	deadline := time.Now().Add(7 * time.Second)
	got := invokeAsync(t.Context(), rt, `{"hello":"world"}`, InvokeOptions{
		ClientContext: []byte("{\n  \"custom\": {\"netlify\": \"e30=\"}\n}"),
		Deadline:      deadline,
	})

	resp, body := call(t, rt, http.MethodGet, api+"invocation/next", "")
	if resp.StatusCode != http.StatusOK || body != `{"hello":"world"}` {
		t.Fatalf("next = %d %q, want 200 with the event", resp.StatusCode, body)
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	if !uuidPattern.MatchString(id) {
		t.Errorf("request id %q is not a UUID", id)
	}
	for name, want := range map[string]string{
		"Lambda-Runtime-Deadline-Ms":          strconv.FormatInt(deadline.UnixMilli(), 10),
		"Lambda-Runtime-Invoked-Function-Arn": FunctionARN,
		"Lambda-Runtime-Client-Context":       `{"custom":{"netlify":"e30="}}`,
		"Content-Type":                        "application/json",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if trace := resp.Header.Get("Lambda-Runtime-Trace-Id"); !strings.HasPrefix(trace, "Root=1-") {
		t.Errorf("Lambda-Runtime-Trace-Id = %q, want an X-Ray header", trace)
	}

	resp, _ = call(t, rt, http.MethodPost, api+"invocation/"+id+"/response", `{"ok":true}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("response = %d, want 202", resp.StatusCode)
	}
	o := <-got
	if o.err != nil || o.res.Err != nil || string(o.res.Body) != `{"ok":true}` || o.res.RequestID != id {
		t.Fatalf("Invoke = %+v, %v; want the body under request %s", o.res, o.err, id)
	}
}

func TestRuntimeNextWithoutOptions(t *testing.T) {
	rt := NewRuntime(t)
	before := time.Now()
	got := invokeAsync(t.Context(), rt, `{}`, InvokeOptions{})
	resp, _ := call(t, rt, http.MethodGet, api+"invocation/next", "")
	after := time.Now()

	if _, ok := resp.Header["Lambda-Runtime-Client-Context"]; ok {
		t.Errorf("Lambda-Runtime-Client-Context sent for an invocation without one")
	}
	ms, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if err != nil {
		t.Fatalf("Lambda-Runtime-Deadline-Ms: %v", err)
	}
	lo, hi := before.Add(DefaultTimeout).UnixMilli(), after.Add(DefaultTimeout).UnixMilli()
	if ms < lo || ms > hi {
		t.Errorf("deadline %d ms, want DefaultTimeout from the poll: within [%d, %d]", ms, lo, hi)
	}
	call(t, rt, http.MethodPost, api+"invocation/"+resp.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", `null`)
	if o := <-got; o.err != nil {
		t.Fatal(o.err)
	}
}

func TestRuntimeAnswers(t *testing.T) {
	tests := []struct {
		name      string
		endpoint  string
		header    string // Lambda-Runtime-Function-Error-Type
		body      string
		wantBody  string
		wantError *FunctionError
	}{
		{name: "a response is the result body", endpoint: "response", body: `{"statusCode":200}`, wantBody: `{"statusCode":200}`},
		{name: "an empty response is an empty body", endpoint: "response", body: ``, wantBody: ``},
		{
			name: "an error document is a function error", endpoint: "error",
			body:      `{"errorType":"errorString","errorMessage":"boom"}`,
			wantError: &FunctionError{Type: "errorString", Message: "boom"},
		},
		{
			name: "an error that is not JSON keeps its text and the header's type", endpoint: "error",
			header: "Runtime.Unknown", body: `it broke`,
			wantError: &FunctionError{Type: "Runtime.Unknown", Message: "it broke"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := NewRuntime(t)
			got := invokeAsync(t.Context(), rt, `{}`, InvokeOptions{})
			resp, _ := call(t, rt, http.MethodGet, api+"invocation/next", "")
			id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")

			req, _ := http.NewRequest(http.MethodPost, "http://"+rt.Addr()+api+"invocation/"+id+"/"+tt.endpoint, strings.NewReader(tt.body))
			if tt.header != "" {
				req.Header.Set("Lambda-Runtime-Function-Error-Type", tt.header)
			}
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusAccepted {
				t.Fatalf("%s = %d, want 202", tt.endpoint, r.StatusCode)
			}
			o := <-got
			if o.err != nil {
				t.Fatal(o.err)
			}
			if tt.wantError == nil {
				if o.res.Err != nil || string(o.res.Body) != tt.wantBody {
					t.Fatalf("Invoke = body %q, err %v; want body %q", o.res.Body, o.res.Err, tt.wantBody)
				}
				return
			}
			if o.res.Err == nil || o.res.Err.Type != tt.wantError.Type || o.res.Err.Message != tt.wantError.Message {
				t.Fatalf("Invoke error = %+v, want %+v", o.res.Err, tt.wantError)
			}
			if string(o.res.Err.Payload) != tt.body || o.res.Body != nil {
				t.Errorf("Payload = %q, Body = %q; want the posted error and no body", o.res.Err.Payload, o.res.Body)
			}
		})
	}
}

func TestRuntimeReportsProtocolMisuse(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       func(id string) string // id: a request the function was given and answered
		wantStatus int
		wantReport string
	}{
		{
			name: "a response for an unknown request id", method: http.MethodPost,
			path:       func(string) string { return api + "invocation/not-a-request/response" },
			wantStatus: http.StatusBadRequest, wantReport: `request "not-a-request", which it was never given`,
		},
		{
			name: "an error for an unknown request id", method: http.MethodPost,
			path:       func(string) string { return api + "invocation/not-a-request/error" },
			wantStatus: http.StatusBadRequest, wantReport: "never given",
		},
		{
			name: "a second response for one request", method: http.MethodPost,
			path:       func(id string) string { return api + "invocation/" + id + "/response" },
			wantStatus: http.StatusForbidden, wantReport: "twice",
		},
		{
			name: "an error after the response", method: http.MethodPost,
			path:       func(id string) string { return api + "invocation/" + id + "/error" },
			wantStatus: http.StatusForbidden, wantReport: "twice",
		},
		{
			name: "an init error after an invocation", method: http.MethodPost,
			path:       func(string) string { return api + "init/error" },
			wantStatus: http.StatusForbidden, wantReport: "init error after taking an invocation",
		},
		{
			name: "next with the wrong method", method: http.MethodPost,
			path:       func(string) string { return api + "invocation/next" },
			wantStatus: http.StatusNotFound, wantReport: "POST /2018-06-01/runtime/invocation/next, which is not part of the Runtime API",
		},
		{
			name: "a path of another API version", method: http.MethodGet,
			path:       func(string) string { return "/2020-01-01/runtime/invocation/next" },
			wantStatus: http.StatusNotFound, wantReport: "not part of the Runtime API",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			rt := NewRuntime(rec)
			got := invokeAsync(t.Context(), rt, `{}`, InvokeOptions{})
			next, _ := call(t, rt, http.MethodGet, api+"invocation/next", "")
			id := next.Header.Get("Lambda-Runtime-Aws-Request-Id")
			call(t, rt, http.MethodPost, api+"invocation/"+id+"/response", `{}`)
			if o := <-got; o.err != nil {
				t.Fatal(o.err)
			}
			if r := rec.reported(); len(r) != 0 {
				t.Fatalf("a correct exchange was reported: %q", r)
			}

			resp, body := call(t, rt, tt.method, tt.path(id), `{}`)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, tt.wantStatus, body)
			}
			r := rec.reported()
			if len(r) != 1 || !strings.Contains(r[0], tt.wantReport) {
				t.Errorf("reported %q, want one report containing %q", r, tt.wantReport)
			}
		})
	}
}

func TestRuntimeInitErrorAnswersEveryInvocation(t *testing.T) {
	rt := NewRuntime(t)
	resp, _ := call(t, rt, http.MethodPost, api+"init/error", `{"errorType":"Runtime.ConfigError","errorMessage":"AUTH0_DOMAIN is required"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("init/error = %d, want 202", resp.StatusCode)
	}
	for range 2 {
		res, err := rt.Invoke(t.Context(), []byte(`{}`), InvokeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Err == nil || res.Err.Type != "Runtime.ConfigError" || res.Err.Message != "AUTH0_DOMAIN is required" {
			t.Fatalf("Invoke error = %+v, want the init error", res.Err)
		}
	}
	if e := rt.InitError(); e == nil || e.Type != "Runtime.ConfigError" {
		t.Errorf("InitError() = %+v", e)
	}
}

func TestInvokeEndsWithItsContext(t *testing.T) {
	t.Run("when no function polls", func(t *testing.T) {
		rt := NewRuntime(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := rt.Invoke(ctx, []byte(`{}`), InvokeOptions{})
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "never polled") {
			t.Fatalf("Invoke = %v, want context.Canceled and a word on what was waited for", err)
		}
	})
	t.Run("when the function never answers, and a late answer is still accepted", func(t *testing.T) {
		rec := &recorder{TB: t}
		rt := NewRuntime(rec)
		ctx, cancel := context.WithCancel(t.Context())
		got := invokeAsync(ctx, rt, `{}`, InvokeOptions{})
		next, _ := call(t, rt, http.MethodGet, api+"invocation/next", "")
		cancel()
		o := <-got
		if !errors.Is(o.err, context.Canceled) || !strings.Contains(o.err.Error(), "did not answer") {
			t.Fatalf("Invoke = %v, want context.Canceled", o.err)
		}
		resp, _ := call(t, rt, http.MethodPost, api+"invocation/"+next.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", `{}`)
		if resp.StatusCode != http.StatusAccepted || len(rec.reported()) != 0 {
			t.Fatalf("late answer = %d, reports %q; want 202 and none", resp.StatusCode, rec.reported())
		}
	})
}

func TestInvokeRejectsWhatLambdaWouldNot(t *testing.T) {
	rt := NewRuntime(t)
	tests := []struct {
		name    string
		payload []byte
		opts    InvokeOptions
		want    string
	}{
		{"an event over 6 MB", make([]byte, MaxPayload+1), InvokeOptions{}, "exceeds"},
		{"a client context that is not JSON", []byte(`{}`), InvokeOptions{ClientContext: []byte(`{"custom":`)}, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rt.Invoke(t.Context(), tt.payload, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Invoke = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestRuntimeRefusesAResponseOver6MB(t *testing.T) {
	rt := NewRuntime(t)
	got := invokeAsync(t.Context(), rt, `{}`, InvokeOptions{})
	next, _ := call(t, rt, http.MethodGet, api+"invocation/next", "")
	resp, _ := call(t, rt, http.MethodPost, api+"invocation/"+next.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", strings.Repeat("x", MaxPayload+1))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
	o := <-got
	if o.err != nil || o.res.Err == nil || o.res.Err.Type != "Function.ResponseSizeTooLarge" {
		t.Fatalf("Invoke = %+v, %v; want a Function.ResponseSizeTooLarge error", o.res, o.err)
	}
}

func TestNetlifyClientContext(t *testing.T) {
	got := string(NetlifyClientContext([]byte(`{"user":{"sub":"1"}}`)))
	want := `{"custom":{"netlify":"eyJ1c2VyIjp7InN1YiI6IjEifX0="}}`
	if got != want {
		t.Fatalf("NetlifyClientContext = %s, want %s", got, want)
	}
}
