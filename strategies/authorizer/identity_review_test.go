package authorizer_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/authorizer"
)

const basicAuth = "Basic c2l0ZTpzaGFyZWQtcGFzc3dvcmQ=" // a shared site password

// adminCookie is the nf_jwt cookie of an admin, for the Netlify provider.
func adminCookie(p *strategytest.Provider) string {
	return auth.NetlifyCookie + "=" + strings.TrimPrefix(p.Token("admin"), "Bearer ")
}

// TestGatewayDecisionDependsOnlyOnTheIdentitySource: API Gateway caches an
// authorizer's answer under the identity source (the Authorization
// header). A decision read from anything else (the nf_jwt cookie) would be
// handed, for the whole TTL, to every caller sending the same header.
func TestGatewayDecisionDependsOnlyOnTheIdentitySource(t *testing.T) {
	p := strategytest.Netlify(t)
	z := authorizer.New(p.Auth, authorizer.Routes(), discard)
	now := time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)
	g := cachingGateway(z.Request, &now)
	steps := []struct {
		name          string
		authorization string
		cookie        string
		status        int
		body          string
	}{
		{"Basic credentials with an admin cookie are 401: the cookie is not the identity source", basicAuth, adminCookie(p), 401, strategytest.NoTokenBody},
		{"Basic credentials alone are 401, not the first caller's admin answer", basicAuth, "", 401, strategytest.NoTokenBody},
		{"an admin Bearer token is 200", p.Token("admin"), "", 200, `{"strategy":"authorized","message":"Welcome, admin.","sub":"` + strategytest.Subject("admin") + `"}` + "\n"},
		{"a free Bearer token with an admin cookie is 403: the cookie adds nothing", p.Token("free"), adminCookie(p), 403, strategytest.ForbiddenBody},
	}
	for _, s := range steps {
		ev := strategytest.Event(t, authorizer.Name, "admin", s.authorization)
		if s.cookie != "" {
			ev.Headers["cookie"] = s.cookie
			ev.MultiValueHeaders["cookie"] = []string{s.cookie}
		}
		resp, err := g.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != s.status || resp.Body != s.body {
			t.Fatalf("%s: got %d %q, want %d %q", s.name, resp.StatusCode, resp.Body, s.status, s.body)
		}
	}
}

// TestAuthorizerReadsOnlyABearerIdentitySource drives the three event
// types with credentials outside the identity source, or a non-Bearer one
// in it: each is Unauthorized, whatever else the event carries.
func TestAuthorizerReadsOnlyABearerIdentitySource(t *testing.T) {
	for _, p := range strategytest.Providers(t) {
		h := authorizer.NewHandler(authorizer.New(p.Auth, authorizer.Routes(), discard))
		cookie := adminCookie(p)
		rest := func(headers map[string]string) string {
			ev := map[string]any{"type": "REQUEST", "methodArn": restARN + "admin", "headers": headers}
			b, _ := json.Marshal(ev)
			return string(b)
		}
		httpAPI := func(authorization string, cookies []string) string {
			ev := map[string]any{"version": "2.0", "type": "REQUEST", "routeKey": "GET /authorized/admin",
				"headers": map[string]string{"authorization": authorization}, "cookies": cookies}
			b, _ := json.Marshal(ev)
			return string(b)
		}
		tests := []struct {
			name    string
			payload string
		}{
			{"REQUEST with Basic credentials and an admin cookie is Unauthorized", rest(map[string]string{"Authorization": basicAuth, "Cookie": cookie})},
			{"REQUEST with only an admin cookie is Unauthorized", rest(map[string]string{"Cookie": cookie})},
			{"REQUEST with the admin token in another header is Unauthorized", rest(map[string]string{"X-Authorization": p.Token("admin")})},
			{"HTTP API with Basic credentials and an admin cookie is Unauthorized", httpAPI(basicAuth, []string{cookie})},
			{"HTTP API with only an admin cookie is Unauthorized", httpAPI("", []string{cookie})},
			{"TOKEN with Basic credentials is Unauthorized", `{"type":"TOKEN","authorizationToken":"` + basicAuth + `","methodArn":"` + restARN + `admin"}`},
		}
		for _, tt := range tests {
			t.Run(p.Name+": "+tt.name, func(t *testing.T) {
				out, err := h.Invoke(context.Background(), []byte(tt.payload))
				if err == nil || err.Error() != "Unauthorized" || out != nil {
					t.Fatalf("got %s, %v; want the error Unauthorized", out, err)
				}
			})
		}
	}
}

// TestTokenAuthorizerIsUnaffected: template.yaml's TOKEN authorizer sees
// only the Authorization header, so it always decided on its cache key;
// Bearer tokens still work for every persona.
func TestTokenAuthorizerIsUnaffected(t *testing.T) {
	for _, p := range strategytest.Providers(t) {
		z := authorizer.New(p.Auth, authorizer.Routes(), discard)
		for _, persona := range []string{"free", "paid", "admin"} {
			t.Run(p.Name+": "+persona+" Bearer token gets its policy", func(t *testing.T) {
				resp, err := z.Token(context.Background(), events.APIGatewayCustomAuthorizerRequest{
					Type: "TOKEN", AuthorizationToken: p.Token(persona), MethodArn: restARN + "me",
				})
				if err != nil {
					t.Fatal(err)
				}
				if resp.PrincipalID != strategytest.Subject(persona) {
					t.Fatalf("principal %q, want %q", resp.PrincipalID, strategytest.Subject(persona))
				}
				for _, e := range []string{"me", "paid", "admin"} {
					want := false
					for _, a := range allowedEndpoints[persona] {
						want = want || a == e
					}
					if got := authorizer.Allows(resp.PolicyDocument, restARN+e); got != want {
						t.Errorf("policy allows %s: %v, want %v", e, got, want)
					}
				}
			})
		}
	}
	authz := readTemplate(t).Resources["Api"].Properties.Auth.Authorizers["TokenAuthorizer"]
	if authz.FunctionPayloadType != "TOKEN" || authz.Identity.Header != "Authorization" {
		t.Fatalf("template.yaml's authorizer is %+v: a REQUEST authorizer would need its identity source to cover every header it reads", authz)
	}
}

// cachingGateway is the local API Gateway stand-in in front of the
// authorized function, caching authorize's answers for five minutes of the
// clock *now.
func cachingGateway(authorize func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error), now *time.Time) *authorizer.Gateway {
	return &authorizer.Gateway{
		Authorize:  authorize,
		Function:   authorizer.Protected(authorizer.Routes(), discard),
		Routes:     authorizer.Routes(),
		TTL:        5 * time.Minute,
		PathPrefix: "/.netlify/functions",
		Now:        func() time.Time { return *now },
		Log:        discard,
	}
}
