package authorizer_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/authorizer"
)

// FuzzInvoke feeds the authorizer events it may be sent: whatever the
// event, it must fail with one of the two errors API Gateway understands or
// answer a policy confined to the event's own API and stage.
func FuzzInvoke(f *testing.F) {
	p := strategytest.Auth0(f)
	for _, name := range []string{"token.json", "request.json", "httpapi.json"} {
		for _, persona := range []string{"free", "admin"} {
			f.Add(fixture(f, name, p.Token(persona), "admin"))
		}
		f.Add(fixture(f, name, "Bearer x.y.z", "me"))
	}
	f.Add([]byte(`{"type":"TOKEN","authorizationToken":"Bearer a","methodArn":"arn:aws:execute-api:r:1:api/*/GET/x"}`))
	h := authorizer.NewHandler(authorizer.New(p.Auth, authorizer.Routes(), discard))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			if msg := err.Error(); msg != "Unauthorized" && msg != "authorization temporarily unavailable" {
				t.Fatalf("error %q is neither Unauthorized nor an authorizer failure", msg)
			}
			if out != nil {
				t.Fatalf("answer %s beside error %v", out, err)
			}
			return
		}
		var resp struct {
			PolicyDocument *struct {
				Statement []struct {
					Effect   string
					Resource []string
				}
			}
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("answer %s is not JSON: %v", out, err)
		}
		if resp.PolicyDocument == nil {
			return // an HTTP API simple response names no resource
		}
		var ev struct{ MethodArn string }
		_ = json.Unmarshal(payload, &ev)
		arn, err := authorizer.ParseMethodARN(ev.MethodArn)
		if err != nil {
			t.Fatalf("a policy %s for an unparsable methodArn %q", out, ev.MethodArn)
		}
		prefix := arn.Resource("", "")
		for _, s := range resp.PolicyDocument.Statement {
			for _, r := range s.Resource {
				if !strings.HasPrefix(r, prefix) || strings.ContainsAny(r, "*?") {
					t.Fatalf("%s resource %q reaches beyond %q", s.Effect, r, prefix)
				}
			}
		}
	})
}
