package guard_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/guard"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestDenyAnswersLikeTheFlagship compares Deny with auth.WriteError, the
// flagship's answer, for every sentinel.
func TestDenyAnswersLikeTheFlagship(t *testing.T) {
	for _, err := range []error{auth.ErrNoToken, auth.ErrInvalidToken, auth.ErrTokenExpired, auth.ErrForbidden, auth.ErrUnavailable, errors.New("unknown")} {
		t.Run(err.Error()+" gets the flagship's status, headers and body", func(t *testing.T) {
			rec := httptest.NewRecorder()
			auth.WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), err)
			got := guard.Deny(context.Background(), discard, err)
			if got.StatusCode != rec.Code || got.Body != rec.Body.String() {
				t.Fatalf("Deny = %d %q, flagship %d %q", got.StatusCode, got.Body, rec.Code, rec.Body.String())
			}
			for _, h := range []string{"WWW-Authenticate", "Retry-After", "Content-Type", "Cache-Control"} {
				if got.Headers[h] != rec.Header().Get(h) {
					t.Errorf("%s = %q, flagship %q", h, got.Headers[h], rec.Header().Get(h))
				}
			}
		})
	}
}

func TestDenyLogsWhyWithoutTheToken(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	guard.Deny(ctx, log, &auth.Error{Err: auth.ErrForbidden, Reason: "requires role:admin", Subject: "u1"})
	for _, want := range []string{`"msg":"access denied"`, `"status":403`, `"reason":"insufficient scope: requires role:admin"`, `"sub":"u1"`, `"lambda_request_id":"req-1"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log %s lacks %s", buf.String(), want)
		}
	}
}

func TestRequestOf(t *testing.T) {
	lc := &lambdacontext.LambdaContext{ClientContext: lambdacontext.ClientContext{Custom: map[string]string{"netlify": "e30="}}}
	ctx := lambdacontext.NewContext(context.Background(), lc)
	tests := []struct {
		name string
		ev   events.APIGatewayProxyRequest
		want []string
	}{
		{"multi-value headers keep every Authorization header", events.APIGatewayProxyRequest{
			Headers:           map[string]string{"authorization": "Bearer b"},
			MultiValueHeaders: map[string][]string{"authorization": {"Bearer a", "Bearer b"}},
		}, []string{"Bearer a", "Bearer b"}},
		{"single-value headers are read when there are no others", events.APIGatewayProxyRequest{
			Headers: map[string]string{"AUTHORIZATION": "Bearer a"},
		}, []string{"Bearer a"}},
		{"an empty multiValueHeaders falls back to headers, as the flagship reads it", events.APIGatewayProxyRequest{
			Headers:           map[string]string{"authorization": "Bearer a"},
			MultiValueHeaders: map[string][]string{},
		}, []string{"Bearer a"}},
		{"a header only in headers is not read beside a non-empty multiValueHeaders, as the flagship reads it", events.APIGatewayProxyRequest{
			Headers:           map[string]string{"authorization": "Bearer a"},
			MultiValueHeaders: map[string][]string{"accept": {"*/*"}},
		}, nil},
		{"no headers is no Authorization", events.APIGatewayProxyRequest{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := guard.RequestOf(ctx, tt.ev)
			if got := r.Header.Values("Authorization"); !slices.Equal(got, tt.want) {
				t.Fatalf("Authorization = %q, want %q", got, tt.want)
			}
			if r.NetlifyContext != "e30=" {
				t.Fatalf("NetlifyContext = %q", r.NetlifyContext)
			}
		})
	}
	if r := guard.RequestOf(context.Background(), events.APIGatewayProxyRequest{}); r.NetlifyContext != "" {
		t.Fatalf("context without Lambda context: %q", r.NetlifyContext)
	}
}

var admin = &auth.Principal{Subject: "u1", Roles: []string{"admin"}}

func fixed(p *auth.Principal, err error) auth.Authenticator {
	return auth.AuthenticatorFunc(func(context.Context, auth.Request) (*auth.Principal, error) { return p, err })
}

func ok(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	p, _ := auth.FromContext(ctx)
	return guard.JSON(http.StatusOK, map[string]string{"sub": p.Subject}), nil
}

func TestProtect(t *testing.T) {
	boom := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, errors.New("database password is hunter2")
	}
	teapot := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, &guard.Error{Status: http.StatusConflict, Code: "conflict", Message: "Already done."}
	}
	panics := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		panic("nil map")
	}
	authError := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, auth.ErrForbidden
	}
	tests := []struct {
		name   string
		authn  auth.Authenticator
		policy auth.Policy
		h      guard.Handler
		status int
		body   string
	}{
		{"allowed caller reaches the handler with its principal", fixed(admin, nil), auth.Role("admin"), ok, 200, `{"sub":"u1"}` + "\n"},
		{"caller without the role is 403 and the handler never runs", fixed(admin, nil), auth.Role("paid"), panics, 403, `{"error":"insufficient_scope","message":"Your token is valid but does not grant access to this resource."}` + "\n"},
		{"unauthenticated caller is 401 and the handler never runs", fixed(nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "bad"}), auth.Authenticated(), panics, 401, `{"error":"invalid_token","message":"The access token is invalid."}` + "\n"},
		{"handler error becomes an opaque 500", fixed(admin, nil), auth.Authenticated(), boom, 500, `{"error":"internal_error","message":"Something went wrong on our side."}` + "\n"},
		{"handler *Error becomes its JSON response", fixed(admin, nil), auth.Authenticated(), teapot, 409, `{"error":"conflict","message":"Already done."}` + "\n"},
		{"handler auth error is answered as auth errors are", fixed(admin, nil), auth.Authenticated(), authError, 403, `{"error":"insufficient_scope","message":"Your token is valid but does not grant access to this resource."}` + "\n"},
		{"handler panic becomes an opaque 500", fixed(admin, nil), auth.Authenticated(), panics, 500, `{"error":"internal_error","message":"Something went wrong on our side."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := guard.Protect(tt.authn, tt.policy, discard, tt.h)(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET"})
			if err != nil {
				t.Fatalf("error escaped the chain: %v", err)
			}
			if resp.StatusCode != tt.status || resp.Body != tt.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tt.status, tt.body)
			}
		})
	}
}

func TestRequireWithoutAuthenticateLetsNobodyIn(t *testing.T) {
	resp, _ := guard.Chain(ok, guard.Require(auth.Authenticated(), discard))(context.Background(), events.APIGatewayProxyRequest{})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status = %d", resp.StatusCode)
	}
}

func TestChainRunsOutermostFirst(t *testing.T) {
	var order []string
	mark := func(name string) guard.Middleware {
		return func(next guard.Handler) guard.Handler {
			return func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
				order = append(order, name)
				return next(ctx, ev)
			}
		}
	}
	h := guard.Chain(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		order = append(order, "handler")
		return events.APIGatewayProxyResponse{}, nil
	}, mark("a"), mark("b"))
	_, _ = h(context.Background(), events.APIGatewayProxyRequest{})
	if want := []string{"a", "b", "handler"}; !slices.Equal(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
}

func TestMux(t *testing.T) {
	h := guard.Mux(discard, map[string]guard.Handler{"me": guard.Protect(fixed(admin, nil), auth.Authenticated(), discard, ok)})
	tests := []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"known endpoint is served", "GET", "/.netlify/functions/x/me", 200, `{"sub":"u1"}` + "\n"},
		{"endpoint behind a redirect is served", "GET", "/x/me/", 200, `{"sub":"u1"}` + "\n"},
		{"unknown endpoint is 404", "GET", "/.netlify/functions/x/other", 404, `{"error":"not_found","message":"No such route."}` + "\n"},
		{"other method is 405", "DELETE", "/.netlify/functions/x/me", 405, `{"error":"method_not_allowed","message":"This route does not accept DELETE."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := h(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: tt.method, Path: tt.path})
			if resp.StatusCode != tt.status || resp.Body != tt.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tt.status, tt.body)
			}
		})
	}
}
