package strategytest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/internal/lambdatest"
	"github.com/fnguard/fnguard/internal/strategytest"
)

func TestMain(m *testing.M) { lambdatest.Main(m) }

func invoke(t *testing.T, rt *lambdatest.Runtime, payload []byte, opts lambdatest.InvokeOptions) lambdatest.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res, err := rt.Invoke(ctx, payload, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestFunctionBinaries builds each Netlify function the way Netlify does,
// runs it as its own process against a Lambda Runtime API, and sends it the
// persona matrix as Netlify would: the v1 event, and for the Netlify
// provider the client context on the invocation.
func TestFunctionBinaries(t *testing.T) {
	for _, fn := range []string{"inline", "middleware", "decorator"} {
		bin := lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/"+fn)
		for _, p := range strategytest.Providers(t) {
			rt := lambdatest.NewRuntime(t)
			proc := rt.Start(bin, p.Env...)
			for _, c := range strategytest.Matrix {
				t.Run(fn+" binary: "+c.Name(p.Name), func(t *testing.T) {
					ev, err := json.Marshal(strategytest.Event(t, fn, c.Endpoint, p.Token(c.Persona)))
					if err != nil {
						t.Fatal(err)
					}
					var opts lambdatest.InvokeOptions
					if nc := p.ClientContext(c.Persona); nc != "" {
						raw, _ := base64.StdEncoding.DecodeString(nc)
						opts.ClientContext = lambdatest.NetlifyClientContext(raw)
					}
					res := invoke(t, rt, ev, opts)
					if res.Err != nil {
						t.Fatalf("function error %v", res.Err)
					}
					var resp events.APIGatewayProxyResponse
					if err := json.Unmarshal(res.Body, &resp); err != nil {
						t.Fatalf("response %q: %v", res.Body, err)
					}
					strategytest.Check(t, fn, p.Name, c, resp, strategytest.Options{})
				})
			}
			proc.Stop()
			if logs := proc.Stderr(); strings.Contains(logs, "eyJ") {
				t.Errorf("%s logged something that looks like a token:\n%s", fn, logs)
			}
		}
	}
}

func TestNetlifyFunctionWithoutSecretRefusesToStart(t *testing.T) {
	bin := lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/inline")
	rt := lambdatest.NewRuntime(t)
	proc := rt.Start(bin, "AUTH_PROVIDER=netlify", "NETLIFY_TRUST_UNVERIFIED_CONTEXT=true")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := proc.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(proc.Stderr(), "NETLIFY_TRUST_UNVERIFIED_CONTEXT: is for local development only") {
		t.Fatalf("stderr does not say why:\n%s", proc.Stderr())
	}
}

func authorizerFixture(t *testing.T, name, authorization, endpoint string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "strategies", "authorizer", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("AUTHORIZATION", authorization, "ENDPOINT", endpoint).Replace(string(raw)))
}

// TestAuthorizerBinaries runs the authorizer and the function behind it as
// deployed by template.yaml: the authorizer's answers to API Gateway
// events, then the function given the authorizer's context.
func TestAuthorizerBinaries(t *testing.T) {
	authorizerBin := lambdatest.Build(t, "github.com/fnguard/fnguard/strategies/authorizer/cmd/authorizer")
	authorizedBin := lambdatest.Build(t, "github.com/fnguard/fnguard/strategies/authorizer/cmd/authorized")
	p := strategytest.Auth0(t)
	authz := lambdatest.NewRuntime(t)
	authz.Start(authorizerBin, p.Env...)
	fn := lambdatest.NewRuntime(t)
	fn.Start(authorizedBin)

	for _, event := range []string{"token.json", "request.json", "httpapi.json"} {
		for _, c := range strategytest.Matrix {
			t.Run(event+" then function: "+c.Name(p.Name), func(t *testing.T) {
				res := invoke(t, authz, authorizerFixture(t, event, p.Token(c.Persona), c.Endpoint), lambdatest.InvokeOptions{})
				if c.Status == 401 {
					if res.Err == nil || res.Err.Message != "Unauthorized" {
						t.Fatalf("authorizer answered %s, %v; want the error Unauthorized", res.Body, res.Err)
					}
					return
				}
				if res.Err != nil {
					t.Fatalf("authorizer error %v", res.Err)
				}
				var decision struct {
					IsAuthorized   *bool
					PrincipalID    string
					PolicyDocument events.APIGatewayCustomAuthorizerPolicy
					Context        map[string]any
				}
				if err := json.Unmarshal(res.Body, &decision); err != nil {
					t.Fatal(err)
				}
				if event == "httpapi.json" {
					if decision.IsAuthorized == nil || *decision.IsAuthorized != (c.Status == 200) {
						t.Fatalf("isAuthorized in %s, want %v", res.Body, c.Status == 200)
					}
					return
				}
				if decision.PrincipalID != strategytest.Subject(c.Persona) || len(decision.PolicyDocument.Statement) == 0 {
					t.Fatalf("decision %s", res.Body)
				}
				// What API Gateway then hands the function: REST passes
				// context values as strings.
				ev := strategytest.Event(t, "authorized", c.Endpoint, "")
				ev.Resource, ev.Path = "/authorized/"+c.Endpoint, "/authorized/"+c.Endpoint
				ev.RequestContext.Authorizer = map[string]any{"principalId": decision.PrincipalID}
				for k, v := range decision.Context {
					b, _ := json.Marshal(v)
					ev.RequestContext.Authorizer[k] = strings.Trim(string(b), `"`)
					if s, ok := v.(string); ok {
						ev.RequestContext.Authorizer[k] = s
					}
				}
				payload, _ := json.Marshal(ev)
				out := invoke(t, fn, payload, lambdatest.InvokeOptions{})
				if out.Err != nil {
					t.Fatalf("function error %v", out.Err)
				}
				var resp events.APIGatewayProxyResponse
				if err := json.Unmarshal(out.Body, &resp); err != nil {
					t.Fatal(err)
				}
				// A denied route never reaches the function behind API
				// Gateway; called anyway, the function refuses it too.
				strategytest.Check(t, "authorized", p.Name, c, resp, strategytest.Options{})
			})
		}
	}
}
