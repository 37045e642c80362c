package authorizer_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/eventheader"
	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/authorizer"
	"github.com/fnguard/fnguard/strategies/guard"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is testdata/name with its placeholders filled in.
func fixture(t testing.TB, name, authorization, endpoint string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("AUTHORIZATION", authorization, "ENDPOINT", endpoint).Replace(string(raw)))
}

const (
	restARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/authorized/"
	invoke  = "execute-api:Invoke"
)

// allowedEndpoints is what each persona may call, from the rules
// (me: anyone signed in; paid: paid or admin; admin: admin).
var allowedEndpoints = map[string][]string{
	"free":  {"me"},
	"paid":  {"me", "paid"},
	"admin": {"me", "paid", "admin"},
}

func resources(endpoints []string) []string {
	var out []string
	for _, e := range endpoints {
		out = append(out, restARN+e)
	}
	return out
}

// TestRESTAuthorizers drives the authorizer's Lambda entry point with TOKEN
// and REQUEST events as API Gateway sends them, and checks every field of
// the answer.
func TestRESTAuthorizers(t *testing.T) {
	for _, event := range []string{"token.json", "request.json"} {
		for _, p := range strategytest.Providers(t) {
			h := authorizer.NewHandler(authorizer.New(p.Auth, authorizer.Routes(), discard))
			for _, c := range strategytest.Matrix {
				t.Run(strings.TrimSuffix(event, ".json")+" "+c.Name(p.Name), func(t *testing.T) {
					out, err := h.Invoke(context.Background(), fixture(t, event, p.Token(c.Persona), c.Endpoint))
					if c.Status == 401 {
						// API Gateway answers 401 for exactly this error.
						if err == nil || err.Error() != "Unauthorized" || out != nil {
							t.Fatalf("got %s, %v; want the error Unauthorized", out, err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					var resp struct {
						PrincipalID    string
						PolicyDocument json.RawMessage
						Context        map[string]any
					}
					if err := json.Unmarshal(out, &resp); err != nil {
						t.Fatal(err)
					}
					sub := strategytest.Subject(c.Persona)
					if resp.PrincipalID != sub {
						t.Errorf("principalId = %q, want %q", resp.PrincipalID, sub)
					}
					var roles []string
					if err := json.Unmarshal([]byte(resp.Context["roles"].(string)), &roles); err != nil {
						t.Fatalf("context roles %v: %v", resp.Context["roles"], err)
					}
					wantRoles := map[string][]string{"free": {}, "paid": {"paid"}, "admin": {"admin"}}[c.Persona]
					if resp.Context["sub"] != sub || !slices.Equal(roles, wantRoles) {
						t.Errorf("context = %v, want sub %s and roles %v", resp.Context, sub, wantRoles)
					}
					if exp, _ := resp.Context["exp"].(float64); time.Until(time.Unix(int64(exp), 0)) < 50*time.Minute {
						t.Errorf("context exp = %v, want the token's", resp.Context["exp"])
					}

					// Field by field, as API Gateway reads it.
					var doc struct {
						Version   string
						Statement []struct {
							Action   []string
							Effect   string
							Resource []string
						}
					}
					if err := json.Unmarshal(resp.PolicyDocument, &doc); err != nil {
						t.Fatal(err)
					}
					if doc.Version != "2012-10-17" {
						t.Errorf("Version = %q", doc.Version)
					}
					allow := resources(allowedEndpoints[c.Persona])
					var deny []string
					for _, e := range []string{"me", "paid", "admin"} {
						if !slices.Contains(allowedEndpoints[c.Persona], e) {
							deny = append(deny, restARN+e)
						}
					}
					if len(doc.Statement) < 1 || doc.Statement[0].Effect != "Allow" || !slices.Equal(doc.Statement[0].Action, []string{invoke}) || !slices.Equal(doc.Statement[0].Resource, allow) {
						t.Fatalf("first statement = %+v, want Allow %v", doc.Statement, allow)
					}
					if len(deny) == 0 {
						if len(doc.Statement) != 1 {
							t.Fatalf("statements = %+v, want only the Allow", doc.Statement)
						}
					} else if len(doc.Statement) != 2 || doc.Statement[1].Effect != "Deny" || !slices.Equal(doc.Statement[1].Action, []string{invoke}) || !slices.Equal(doc.Statement[1].Resource, deny) {
						t.Fatalf("statements = %+v, want an explicit Deny on %v", doc.Statement, deny)
					}
					var typed events.APIGatewayCustomAuthorizerResponse
					if err := json.Unmarshal(out, &typed); err != nil {
						t.Fatal(err)
					}
					if got := authorizer.Allows(typed.PolicyDocument, restARN+c.Endpoint); got != (c.Status == 200) {
						t.Fatalf("policy allows the requested route: %v, want %v", got, c.Status == 200)
					}
				})
			}
		}
	}
}

// TestCachedPolicyDoesNotLeak replays what API Gateway does with a cached
// policy: the answer computed for one route is applied to the others.
func TestCachedPolicyDoesNotLeak(t *testing.T) {
	p := strategytest.Auth0(t)
	z := authorizer.New(p.Auth, authorizer.Routes(), discard)
	for _, persona := range []string{"free", "paid", "admin"} {
		t.Run(persona+" policy cached after any route is right for every route", func(t *testing.T) {
			var first events.APIGatewayCustomAuthorizerResponse
			for i, asked := range []string{"me", "paid", "admin"} {
				resp, err := z.Token(context.Background(), events.APIGatewayCustomAuthorizerRequest{
					Type: "TOKEN", AuthorizationToken: p.Token(persona), MethodArn: restARN + asked,
				})
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = resp
				} else if !reflect.DeepEqual(resp.PolicyDocument, first.PolicyDocument) {
					t.Fatalf("policy for %s differs from the policy for me:\n%+v\n%+v", asked, resp.PolicyDocument, first.PolicyDocument)
				}
			}
			for _, e := range []string{"me", "paid", "admin"} {
				want := slices.Contains(allowedEndpoints[persona], e)
				if got := authorizer.Allows(first.PolicyDocument, restARN+e); got != want {
					t.Errorf("cached policy allows %s: %v, want %v", e, got, want)
				}
			}
			other := "arn:aws:execute-api:eu-west-1:123456789012:otherapi123/prod/GET/authorized/me"
			if authorizer.Allows(first.PolicyDocument, other) {
				t.Errorf("policy allows another API: %+v", first.PolicyDocument)
			}
			if authorizer.Allows(first.PolicyDocument, strings.Replace(restARN, "/prod/", "/dev/", 1)+"me") {
				t.Errorf("policy allows another stage")
			}
		})
	}
}

func TestGatewayCachesPerToken(t *testing.T) {
	p := strategytest.Auth0(t)
	z := authorizer.New(p.Auth, authorizer.Routes(), discard)
	calls := 0
	now := time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)
	g := cachingGateway(func(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		calls++
		return z.Request(ctx, ev)
	}, &now)
	steps := []struct {
		name      string
		persona   string
		endpoint  string
		advance   time.Duration
		status    int
		wantCalls int
	}{
		{"free user calling me runs the authorizer", "free", "me", 0, 200, 1},
		{"free user calling admin with the cached policy is 403", "free", "admin", 0, 403, 1},
		{"free user calling paid with the cached policy is 403", "free", "paid", 0, 403, 1},
		{"admin calling admin runs the authorizer for the other token", "admin", "admin", 0, 200, 2},
		{"free user after the TTL runs the authorizer again", "free", "me", 6 * time.Minute, 200, 3},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		ev := strategytest.Event(t, authorizer.Name, s.endpoint, p.Token(s.persona))
		resp, err := g.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != s.status || calls != s.wantCalls {
			t.Fatalf("%s: status %d after %d authorizer calls, want %d after %d; body %s", s.name, resp.StatusCode, calls, s.status, s.wantCalls, resp.Body)
		}
	}
}

func TestHTTPAPIAuthorizer(t *testing.T) {
	for _, p := range strategytest.Providers(t) {
		h := authorizer.NewHandler(authorizer.New(p.Auth, authorizer.Routes(), discard))
		for _, c := range strategytest.Matrix {
			t.Run(c.Name(p.Name), func(t *testing.T) {
				out, err := h.Invoke(context.Background(), fixture(t, "httpapi.json", p.Token(c.Persona), c.Endpoint))
				if c.Status == 401 {
					if err == nil || err.Error() != "Unauthorized" {
						t.Fatalf("got %s, %v; want the error Unauthorized", out, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var resp map[string]any
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatal(err)
				}
				if c.Status == 403 {
					if want := map[string]any{"isAuthorized": false}; !reflect.DeepEqual(resp, want) {
						t.Fatalf("response = %v, want %v", resp, want)
					}
					return
				}
				ctx, _ := resp["context"].(map[string]any)
				if resp["isAuthorized"] != true || ctx["sub"] != strategytest.Subject(c.Persona) || ctx["roles"] == nil {
					t.Fatalf("response = %v, want isAuthorized with the caller's context", resp)
				}
			})
		}
	}
}

func TestAuthorizerFailures(t *testing.T) {
	unavailable := auth.AuthenticatorFunc(func(context.Context, auth.Request) (*auth.Principal, error) {
		return nil, &auth.Error{Err: auth.ErrUnavailable, Reason: "no signing keys"}
	})
	p := strategytest.Auth0(t)
	tests := []struct {
		name    string
		authn   auth.Authenticator
		payload string
		wantErr string
	}{
		{"issuer down is an authorizer failure, not a 401", unavailable, string(fixture(t, "token.json", "Bearer x.y.z", "me")), "authorization temporarily unavailable"},
		{"event that is not JSON is Unauthorized", p.Auth, "not json", "Unauthorized"},
		{"event of an unknown type is Unauthorized", p.Auth, `{"type":"COGNITO"}`, "Unauthorized"},
		{"malformed methodArn is Unauthorized", p.Auth, `{"type":"TOKEN","authorizationToken":"` + p.Token("admin") + `","methodArn":"arn:aws:execute-api:eu-west-1:123:api/*/GET/x"}`, "Unauthorized"},
		{"two Authorization headers are Unauthorized", p.Auth, `{"type":"REQUEST","methodArn":"` + restARN + `me","multiValueHeaders":{"Authorization":["` + p.Token("admin") + `","` + p.Token("free") + `"]}}`, "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := authorizer.NewHandler(authorizer.New(tt.authn, authorizer.Routes(), discard))
			out, err := h.Invoke(context.Background(), []byte(tt.payload))
			if err == nil || err.Error() != tt.wantErr || out != nil {
				t.Fatalf("got %s, %v; want error %q", out, err, tt.wantErr)
			}
		})
	}
}

func TestParseMethodARN(t *testing.T) {
	tests := []struct {
		in   string
		want authorizer.MethodARN
		ok   bool
	}{
		{"arn:aws:execute-api:eu-west-1:123456789012:a1b2/prod/GET/authorized/me", authorizer.MethodARN{"aws", "eu-west-1", "123456789012", "a1b2", "prod", "GET", "/authorized/me"}, true},
		{"arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2/prod/POST/", authorizer.MethodARN{"aws-cn", "cn-north-1", "123456789012", "a1b2", "prod", "POST", "/"}, true},
		{"arn:aws:execute-api:eu-west-1:123456789012:a1b2/*/GET/authorized/me", authorizer.MethodARN{}, false},
		{"arn:aws:execute-api:eu-west-1:123456789012:a1b2/prod/*/authorized/me", authorizer.MethodARN{}, false},
		{"arn:aws:lambda:eu-west-1:123456789012:function:x", authorizer.MethodARN{}, false},
		{"arn:aws:execute-api:eu-west-1:123456789012:a1b2", authorizer.MethodARN{}, false},
		{"", authorizer.MethodARN{}, false},
	}
	for _, tt := range tests {
		got, err := authorizer.ParseMethodARN(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMethodARN(%q) = %+v, %v", tt.in, got, err)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

// TestProtectedThroughGateway is the persona matrix with the function
// behind API Gateway and the REQUEST authorizer, as deployed.
func TestProtectedThroughGateway(t *testing.T) {
	strategytest.Run(t, authorizer.Name, func(p *strategytest.Provider) guard.Handler {
		g := &authorizer.Gateway{
			Authorize:  authorizer.New(p.Auth, authorizer.Routes(), discard).Request,
			Function:   authorizer.Protected(authorizer.Routes(), discard),
			Routes:     authorizer.Routes(),
			PathPrefix: "/.netlify/functions",
			Log:        discard,
		}
		return g.Handle
	}, strategytest.Options{InvalidIsNoToken: true})
}

func TestProtectedReadsOnlyTheAuthorizerContext(t *testing.T) {
	h := authorizer.Protected(authorizer.Routes(), discard)
	tests := []struct {
		name     string
		resource string
		authz    map[string]any
		status   int
		body     string
	}{
		{"no authorizer in front is 401", "/authorized/me", nil, 401, strategytest.NoTokenBody},
		{"an admin context may call admin", "/authorized/admin", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["admin"]`, "exp": "4102444800"}, 200, `{"strategy":"authorized","message":"Welcome, admin.","sub":"u1"}` + "\n"},
		{"a context without the role is 403 even if API Gateway let it through", "/authorized/admin", map[string]any{"principalId": "u1", "sub": "u1", "roles": `["paid"]`, "exp": "4102444800"}, 403, strategytest.ForbiddenBody},
		{"roles that are not a JSON list are 401", "/authorized/me", map[string]any{"sub": "u1", "roles": "admin"}, 401, strategytest.InvalidBody},
		{"a principalId other than sub is 401", "/authorized/me", map[string]any{"principalId": "u2", "sub": "u1", "roles": `[]`}, 401, strategytest.InvalidBody},
		{"an unknown resource is 404", "/authorized/other", map[string]any{"sub": "u1", "roles": `["admin"]`}, 404, `{"error":"not_found","message":"No such route."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := strategytest.Event(t, authorizer.Name, "x", "")
			ev.Resource, ev.Path = tt.resource, "/prod"+tt.resource
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

func TestGatewayResponsesAreTheFlagships(t *testing.T) {
	for typ, want := range map[string]struct {
		status    int
		body      string
		challenge string
	}{
		"UNAUTHORIZED":                   {401, strategytest.NoTokenBody, strategytest.NoTokenChallenge},
		"ACCESS_DENIED":                  {403, strategytest.ForbiddenBody, strategytest.ForbiddenChallenge},
		"AUTHORIZER_FAILURE":             {503, `{"error":"temporarily_unavailable","message":"Authorization is temporarily unavailable; try again shortly."}` + "\n", ""},
		"AUTHORIZER_CONFIGURATION_ERROR": {503, `{"error":"temporarily_unavailable","message":"Authorization is temporarily unavailable; try again shortly."}` + "\n", ""},
	} {
		got := authorizer.GatewayResponse(typ)
		if got.StatusCode != want.status || got.Body != want.body || got.Headers["WWW-Authenticate"] != want.challenge {
			t.Errorf("%s = %d %q %q, want %d %q %q", typ, got.StatusCode, got.Body, got.Headers["WWW-Authenticate"], want.status, want.body, want.challenge)
		}
	}
}

// TestWrongMethodIs405WithAllow: RFC 9110 §15.5.6 requires a 405 to list
// the methods the route takes, behind the gateway stand-in and in the
// function itself.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	protected := authorizer.Protected(authorizer.Routes(), discard)
	gateway := &authorizer.Gateway{
		Authorize:  authorizer.New(auth.AuthenticatorFunc(func(context.Context, auth.Request) (*auth.Principal, error) { return nil, auth.ErrNoToken }), authorizer.Routes(), discard).Request,
		Function:   protected,
		Routes:     authorizer.Routes(),
		PathPrefix: "/.netlify/functions",
		Log:        discard,
	}
	tests := []struct {
		name string
		h    guard.Handler
	}{
		{"a POST to the gateway stand-in is 405 and allows GET", gateway.Handle},
		{"a POST to the function is 405 and allows GET", protected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := strategytest.Event(t, authorizer.Name, "me", "")
			ev.HTTPMethod = http.MethodPost
			ev.Resource = "/authorized/me"
			resp, err := tt.h(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 405 || resp.Headers["Allow"] != "GET" {
				t.Fatalf("got %d Allow %q, want 405 Allow GET", resp.StatusCode, resp.Headers["Allow"])
			}
		})
	}
}

// TestRequestAuthorizerReadsHeadersByTheRule: the REQUEST authorizer reads
// an event's headers as internal/eventheader.Header says, as the flagship does.
func TestRequestAuthorizerReadsHeadersByTheRule(t *testing.T) {
	tests := []struct {
		name   string
		multi  map[string][]string
		single map[string]string
		want   string
	}{
		{"an empty multiValueHeaders falls back to headers", map[string][]string{}, map[string]string{"authorization": "Bearer a"}, "Bearer a"},
		{"without multiValueHeaders headers is read", nil, map[string]string{"authorization": "Bearer a"}, "Bearer a"},
		{"a header only in headers is not read beside a non-empty multiValueHeaders", map[string][]string{"accept": {"*/*"}}, map[string]string{"authorization": "Bearer a"}, ""},
		{"multiValueHeaders is read when it has entries", map[string][]string{"authorization": {"Bearer m"}}, map[string]string{"authorization": "Bearer s"}, "Bearer m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			spy := auth.AuthenticatorFunc(func(_ context.Context, r auth.Request) (*auth.Principal, error) {
				seen = strings.Join(r.Header.Values("Authorization"), ",")
				return nil, auth.ErrNoToken
			})
			z := authorizer.New(spy, authorizer.Routes(), discard)
			_, _ = z.Request(context.Background(), events.APIGatewayCustomAuthorizerRequestTypeRequest{
				Type: "REQUEST", MethodArn: restARN + "me", Headers: tt.single, MultiValueHeaders: tt.multi,
			})
			if seen != tt.want {
				t.Fatalf("Authorization seen = %q, want %q", seen, tt.want)
			}
			if want := strings.Join(eventheader.Header(tt.multi, tt.single).Values("Authorization"), ","); seen != want {
				t.Fatalf("Authorization seen = %q, the flagship's rule reads %q", seen, want)
			}
		})
	}
}
