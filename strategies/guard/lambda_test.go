package guard_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/strategies/guard"
)

// TestLambdaAnswersMalformedEventsWith400: an event the function cannot
// decode is a bad request, answered as the flagship's adapter answers it;
// a function error would reach the caller as the platform's opaque 502.
func TestLambdaAnswersMalformedEventsWith400(t *testing.T) {
	ok := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return guard.JSON(200, map[string]string{"ok": "yes"}), nil
	}
	h := guard.Lambda(ok, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		name    string
		payload string
		status  int
		body    string
	}{
		{"a method that is a number is 400", `{"httpMethod":5}`, 400, `{"error":"bad_request","message":"The event is not an API Gateway v1 event."}` + "\n"},
		{"headers of the wrong type are 400", `{"httpMethod":"GET","headers":[1]}`, 400, `{"error":"bad_request","message":"The event is not an API Gateway v1 event."}` + "\n"},
		{"an event that is not JSON is 400", `not json`, 400, `{"error":"bad_request","message":"The event is not an API Gateway v1 event."}` + "\n"},
		{"a well-formed event reaches the handler", `{"httpMethod":"GET","path":"/x"}`, 200, `{"ok":"yes"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(tt.payload))
			if err != nil {
				t.Fatalf("function error %v: the caller would get a 502", err)
			}
			var resp events.APIGatewayProxyResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.Body != tt.body || resp.Headers["Content-Type"] != "application/json" {
				t.Fatalf("got %d %q %v, want %d %q", resp.StatusCode, resp.Body, resp.Headers, tt.status, tt.body)
			}
		})
	}
}

// FuzzLambda: whatever the platform hands a function, the answer is a
// proxy response (the handler's 200 or our 400), never a function error.
func FuzzLambda(f *testing.F) {
	for _, seed := range []string{`{"httpMethod":"GET","path":"/x"}`, `{"httpMethod":5}`, `not json`, `null`, `[]`, `{"headers":{"a":1}}`, `{"multiValueHeaders":{"a":"b"}}`} {
		f.Add([]byte(seed))
	}
	ok := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return guard.JSON(200, map[string]string{"ok": "yes"}), nil
	}
	h := guard.Lambda(ok, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatalf("function error %v", err)
		}
		var resp events.APIGatewayProxyResponse
		if err := json.Unmarshal(out, &resp); err != nil || (resp.StatusCode != 200 && resp.StatusCode != 400) {
			t.Fatalf("answer %s (%v), want a 200 or 400 proxy response", out, err)
		}
	})
}
