package securitytest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/lambdatest"
)

// TestLambdaLogsAreJSONLines: a Lambda's output is read by a log pipeline
// that expects one JSON object a line. The runtime library prints a failed
// invocation's error through the standard log package, with a text
// timestamp in front; the events here make every binary fail or refuse.
// The failure must still be in the logs, as JSON.
func TestLambdaLogsAreJSONLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the function binaries")
	}
	const arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/authorized/admin"
	tests := []struct {
		name     string
		pkg      string
		payloads [][]byte
		// mention must appear in the logs: the information kept.
		mention string
	}{
		{"the authorizer's Unauthorized error is logged as JSON", "github.com/fnguard/fnguard/strategies/authorizer/cmd/authorizer",
			[][]byte{mustJSON(map[string]any{"type": "TOKEN", "authorizationToken": "Basic c2l0ZTpwYXNz", "methodArn": arn}), []byte(`not json`)}, "Unauthorized"},
		{"the flagship's answers to malformed bodies are logged as JSON", flagship,
			[][]byte{
				mustJSON(map[string]any{"httpMethod": "POST", "path": "/api/tokens", "isBase64Encoded": true, "body": "%%% not base64",
					"headers": map[string]string{"Content-Type": "application/json"}}),
				mustJSON(map[string]any{"httpMethod": "POST", "path": "/api/tokens", "body": "{", "headers": map[string]string{"Content-Type": "application/json"}}),
				[]byte(`[1,2]`),
			}, "bad event"},
		{"a strategy function's malformed events are logged as JSON", "github.com/fnguard/fnguard/netlify/functions/inline",
			[][]byte{[]byte(`{"httpMethod":5}`), []byte(`not json`)}, "bad event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := NewIssuer(t, audience, rolesClaim)
			fn := startLambda(t, lambdatest.Build(t, tt.pkg), iss, 1)
			for _, p := range tt.payloads {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				_, err := fn.rt.Invoke(ctx, p, lambdatest.InvokeOptions{})
				cancel()
				if err != nil {
					t.Fatalf("invoke: %v", err)
				}
			}
			fn.stop(t)
			logs := fn.logs()
			if !strings.Contains(logs, tt.mention) {
				t.Errorf("the logs do not mention %q:\n%.2000s", tt.mention, logs)
			}
			for line := range strings.SplitSeq(logs, "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				var entry map[string]any
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Errorf("log line is not one JSON object: %.200q", line)
				}
			}
		})
	}
}
