package authorizer_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/authorizer"
)

const expiredBody = `{"error":"invalid_token","message":"The access token expired."}` + "\n"

// API Gateway caches an Allow for ReauthorizeEvery (300 s) whatever the
// token's exp: the function is the only place left to notice that the token
// behind a cached policy has expired since.
func TestProtectedRefusesAContextWhoseTokenExpired(t *testing.T) {
	h := authorizer.Protected(authorizer.Routes(), discard)
	unix := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).Unix(), 10) }
	tests := []struct {
		name   string
		authz  map[string]any
		status int
		body   string
	}{
		{"a token that expired a minute ago is 401 expired", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`, "exp": unix(-time.Minute)}, 401, expiredBody},
		{"an HTTP API context whose exp passed is 401 expired", map[string]any{"sub": "u1", "roles": `["admin"]`, "exp": float64(time.Now().Add(-time.Hour).Unix())}, 401, expiredBody},
		{"a context without exp is 401", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`}, 401, strategytest.InvalidBody},
		{"a context whose exp is not a number is 401", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`, "exp": "soon"}, 401, strategytest.InvalidBody},
		{"a context whose exp is near the int64 maximum is 401 invalid", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`, "exp": "9223372036854775000"}, 401, strategytest.InvalidBody},
		{"a context whose exp is past year 36812 is 401 invalid", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`, "exp": "1099511627777"}, 401, strategytest.InvalidBody},
		{"an HTTP API context whose exp is beyond int64 is 401 invalid", map[string]any{"sub": "u1", "roles": `["admin"]`, "exp": 1e19}, 401, strategytest.InvalidBody},
		{"a context whose roles hold null is 401 invalid", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin",null]`, "exp": unix(time.Hour)}, 401, strategytest.InvalidBody},
		{"a token that expires in an hour is 200", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`, "exp": unix(time.Hour)}, 200, `{"strategy":"authorized","message":"Welcome, admin.","sub":"u1"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := strategytest.Event(t, authorizer.Name, "x", "")
			ev.Resource, ev.Path = "/authorized/admin", "/prod/authorized/admin"
			ev.RequestContext.Authorizer = tt.authz
			resp, err := h(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.Body != tt.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tt.status, tt.body)
			}
		})
	}
}

// The local Gateway caches like API Gateway: a policy cached while the
// token was valid still allows it after its exp.
func TestGatewayCachedAllowDoesNotOutliveTheToken(t *testing.T) {
	exp := time.Now().Add(-time.Minute) // the token expired after the authorizer saw it
	g := &authorizer.Gateway{
		Authorize: func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{
				PrincipalID: "u1",
				PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{{
					Action: []string{invoke}, Effect: "Allow",
					Resource: []string{"arn:aws:execute-api:local:000000000000:local/local/GET/authorized/admin"},
				}}},
				Context: map[string]any{"sub": "u1", "roles": `["admin"]`, "exp": exp.Unix()},
			}, nil
		},
		Function:   authorizer.Protected(authorizer.Routes(), discard),
		Routes:     authorizer.Routes(),
		TTL:        5 * time.Minute,
		PathPrefix: "/.netlify/functions",
		Log:        discard,
	}
	resp, err := g.Handle(context.Background(), strategytest.Event(t, authorizer.Name, "admin", "Bearer a.b.c"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 401 || resp.Body != expiredBody {
		t.Fatalf("got %d %q, want 401 %q", resp.StatusCode, resp.Body, expiredBody)
	}
}
