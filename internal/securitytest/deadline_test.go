package securitytest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/lambdatest"
)

// TestStrategyFunctionsAnswerBeforeTheirDeadline: every function that may
// wait on the issuer keeps time back from its invocation's deadline, as
// the flagship does (TestLambdaDeadline). Lambda kills a function still
// running at its deadline, and the caller then gets the platform's opaque
// timeout instead of our 503.
func TestStrategyFunctionsAnswerBeforeTheirDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the function binaries")
	}
	// Lambda's default timeout. The issuer never answers, and the key
	// set's own client gives up after 5s: only the deadline can end the
	// wait in time.
	const budget = 3 * time.Second
	tests := []struct {
		name    string
		pkg     string
		payload func(token string) []byte
		// authorizer: no HTTP answer; "authorization temporarily
		// unavailable", which template.yaml turns into a 503.
		authorizer bool
	}{
		{"inline answers 503 before the deadline", "github.com/fnguard/fnguard/netlify/functions/inline", netlifyGet("/.netlify/functions/inline/admin"), false},
		{"middleware answers 503 before the deadline", "github.com/fnguard/fnguard/netlify/functions/middleware", netlifyGet("/.netlify/functions/middleware/admin"), false},
		{"decorator answers 503 before the deadline", "github.com/fnguard/fnguard/netlify/functions/decorator", netlifyGet("/.netlify/functions/decorator/admin"), false},
		{"the authorizer fails as unavailable before the deadline", "github.com/fnguard/fnguard/strategies/authorizer/cmd/authorizer", func(token string) []byte {
			return mustJSON(map[string]any{"type": "TOKEN", "authorizationToken": "Bearer " + token,
				"methodArn": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/authorized/admin"})
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			iss := NewIssuer(t, audience, rolesClaim)
			iss.Set(Slow)
			fn := startLambda(t, lambdatest.Build(t, tt.pkg), iss, 1)
			deadline := time.Now().Add(budget)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := fn.rt.Invoke(ctx, tt.payload(iss.Token(t, "admin", time.Hour)), lambdatest.InvokeOptions{Deadline: deadline})
			answered := time.Now()
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			if answered.After(deadline) {
				t.Errorf("the answer came %s after the deadline", answered.Sub(deadline).Round(time.Millisecond))
			}
			if d, j := iss.Hits(); d+j == 0 {
				t.Errorf("the issuer was never asked for keys: the deadline was not put to the test")
			}
			if tt.authorizer {
				if res.Err == nil || res.Err.Message != "authorization temporarily unavailable" {
					t.Fatalf("result %s, error %v; want the error authorization temporarily unavailable", res.Body, res.Err)
				}
				return
			}
			if res.Err != nil {
				t.Fatalf("function error (a 502 for the caller): %v", res.Err)
			}
			var out struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			if err := json.Unmarshal(res.Body, &out); err != nil || out.StatusCode != 503 {
				t.Fatalf("answer %s, want a 503", res.Body)
			}
		})
	}
}

// netlifyGet is the v1 event Netlify sends for a GET of path with token.
func netlifyGet(path string) func(token string) []byte {
	return func(token string) []byte {
		r := httptest.NewRequest("GET", "https://fnguard.netlify.app"+path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return lambdatest.NetlifyEvent(r)
	}
}
