package netlifydev_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/netlifyctx"
	"github.com/fnguard/fnguard/netlifydev"
	"github.com/fnguard/fnguard/strategies/guard"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// echo answers with what it was given, to see the event Netlify would send.
func echo(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	_, hasDeadline := ctx.Deadline()
	return guard.JSON(http.StatusTeapot, map[string]any{
		"event":    ev,
		"netlify":  lc.ClientContext.Custom[guard.NetlifyContextKey],
		"deadline": hasDeadline,
	}), nil
}

func TestHandlerSendsTheEventNetlifySends(t *testing.T) {
	srv := httptest.NewServer(netlifydev.ServeFunction(lambda.NewHandler(echo), netlifydev.FunctionOptions{NetlifyIdentity: true, Log: discard}))
	defer srv.Close()
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u1","exp":9999999999}`))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/.netlify/functions/inline/me?a=1&a=2", strings.NewReader("\xff\xfe"))
	req.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9."+claims+".sig")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var got struct {
		Event    events.APIGatewayProxyRequest
		Netlify  string
		Deadline bool
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	ev := got.Event
	switch {
	case ev.Path != "/.netlify/functions/inline/me" || ev.HTTPMethod != "POST":
		t.Errorf("path %q method %q", ev.Path, ev.HTTPMethod)
	case ev.MultiValueHeaders["x-multi"] == nil || len(ev.MultiValueHeaders["x-multi"]) != 2 || ev.Headers["x-multi"] != "two":
		t.Errorf("headers %v / %v", ev.Headers, ev.MultiValueHeaders)
	case ev.QueryStringParameters["a"] != "2" || len(ev.MultiValueQueryStringParameters["a"]) != 2:
		t.Errorf("query %v / %v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
	case !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString([]byte("\xff\xfe")):
		t.Errorf("binary body %q (base64 %v)", ev.Body, ev.IsBase64Encoded)
	case !got.Deadline:
		t.Errorf("no deadline on the invocation context")
	}
	nc, err := netlifyctx.Parse(got.Netlify)
	if err != nil || string(nc.User) != `{"sub":"u1","exp":9999999999}` || nc.IdentityURL == "" {
		t.Fatalf("client context %q: %+v, %v", got.Netlify, nc, err)
	}
}

func TestClientContext(t *testing.T) {
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u1"}`))
	tests := []struct {
		name     string
		header   http.Header
		wantUser string
	}{
		{"a Bearer Identity token becomes the user", http.Header{"Authorization": {"Bearer h." + claims + ".s"}}, `{"sub":"u1"}`},
		{"an nf_jwt cookie becomes the user", http.Header{"Cookie": {"nf_jwt=h." + claims + ".s"}}, `{"sub":"u1"}`},
		{"no token is no context", http.Header{}, ""},
		{"a token whose payload is not JSON is no context", http.Header{"Authorization": {"Bearer h.bm9wZQ.s"}}, ""},
		{"a token whose payload is a JSON string is no context", http.Header{"Authorization": {"Bearer h.ImFkbWluIg.s"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := netlifydev.ClientContext(auth.Request{Header: tt.header}, "http://127.0.0.1/.netlify/identity")
			if tt.wantUser == "" {
				if got != "" {
					t.Fatalf("context %q, want none", got)
				}
				return
			}
			nc, err := netlifyctx.Parse(got)
			if err != nil || string(nc.User) != tt.wantUser {
				t.Fatalf("user %s, %v; want %s", nc.User, err, tt.wantUser)
			}
		})
	}
}

func FuzzClientContext(f *testing.F) {
	f.Add("Bearer h.eyJzdWIiOiJ1MSJ9.s", "")
	f.Add("", "nf_jwt=h.e30.s")
	f.Add("Bearer h.W10.s", "nf_jwt=a; nf_jwt=b")
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		h := http.Header{}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		if cookie != "" {
			h.Set("Cookie", cookie)
		}
		got := netlifydev.ClientContext(auth.Request{Header: h}, "http://127.0.0.1/.netlify/identity")
		if got == "" {
			return
		}
		// Whatever the token, the context is base64 JSON naming the
		// identity endpoint (the functions may still refuse its user).
		raw, err := base64.StdEncoding.DecodeString(got)
		var doc struct {
			Identity struct{ URL string } `json:"identity"`
		}
		if err != nil || json.Unmarshal(raw, &doc) != nil || doc.Identity.URL == "" {
			t.Fatalf("context %q is not base64 JSON with identity.url: %v", got, err)
		}
	})
}

func TestHandlerAnswersFunctionErrorsWith502(t *testing.T) {
	failing := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, io.ErrUnexpectedEOF
	}
	rec := httptest.NewRecorder()
	netlifydev.ServeFunction(lambda.NewHandler(failing), netlifydev.FunctionOptions{Log: discard}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.netlify/functions/x", nil))
	if rec.Code != http.StatusBadGateway || rec.Body.String() != `{"error":"function_error","message":"The function failed."}`+"\n" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestHandlerRefusesOversizedBodies(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/.netlify/functions/x", strings.NewReader(strings.Repeat("a", netlifydev.MaxBody+1)))
	netlifydev.ServeFunction(lambda.NewHandler(echo), netlifydev.FunctionOptions{Log: discard}).ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", rec.Code)
	}
}

// TestHandlerReadsNoBodyForMethodsTheFunctionTakesNone: an anonymous
// caller could otherwise make the stand-in buffer (and base64-encode) up to
// MaxBody per request for a function that answers 405 anyway.
func TestHandlerReadsNoBodyForMethodsTheFunctionTakesNone(t *testing.T) {
	tests := []struct {
		name        string
		bodyMethods []string
		method      string
		wantRead    bool
	}{
		{"a POST to a function that takes no body is not read", []string{}, http.MethodPost, false},
		{"a PUT to a function whose only body route is POST is not read", []string{http.MethodPost}, http.MethodPut, false},
		{"a GET with a body is not read", []string{http.MethodPost}, http.MethodGet, false},
		{"a POST to a function that takes POST bodies is read", []string{http.MethodPost}, http.MethodPost, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &netlifydev.CountingReader{R: strings.NewReader(strings.Repeat("a", netlifydev.MaxBody))}
			req := httptest.NewRequest(tt.method, "/.netlify/functions/x/me", body)
			rec := httptest.NewRecorder()
			netlifydev.ServeFunction(lambda.NewHandler(echo), netlifydev.FunctionOptions{Log: discard, BodyMethods: tt.bodyMethods}).ServeHTTP(rec, req)
			if rec.Code != http.StatusTeapot {
				t.Fatalf("status %d: the function must still be invoked and answer for itself", rec.Code)
			}
			var got struct{ Event events.APIGatewayProxyRequest }
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if tt.wantRead {
				if body.N != netlifydev.MaxBody || len(got.Event.Body) != netlifydev.MaxBody {
					t.Fatalf("read %d bytes, event body %d; want the whole body", body.N, len(got.Event.Body))
				}
				return
			}
			if body.N != 0 || got.Event.Body != "" {
				t.Fatalf("read %d bytes of a body the function takes none of (event body %d bytes)", body.N, len(got.Event.Body))
			}
		})
	}
}
