package lambdahttp

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/logger"
)

// FuzzInvoke feeds the handler arbitrary events, as a misconfigured proxy
// or a hostile caller of the function URL could. Whatever comes in, the
// answer is a response, never a function error or a panic: a status in
// 200..599 with a JSON body, and never a 500.
func FuzzInvoke(f *testing.F) {
	addEventSeeds(f)
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"version":"2.0"}`,
		`{"httpMethod":"GET","path":"/api/%zz"}`,
		`{"httpMethod":"GET","path":"/api/echo","isBase64Encoded":true,"body":"***"}`,
		`{"httpMethod":"GET","path":"//evil.example/api/echo?x=1#f","headers":{"Accept-Encoding":"gzip"}}`,
		`{"version":"2.0","rawPath":"/api/echo","requestContext":{"http":{"method":"POST"}},"cookies":["a"],"headers":{"accept-encoding":"deflate"}}`,
		`{"httpMethod":"OPTIONS","path":"/api/echo","multiValueHeaders":{"X-GoLambdaProxy-ApiGw-Context":["{"]}}`,
		`{"httpMethod":"GET","path":"/api/echo?%","requestContext":{"domainName":"a#"}}`,
		`{"version":"2.0","rawPath":"/api/echo","rawQueryString":"a#%","requestContext":{"domainName":"x","http":{"method":"GET"}}}`,
	} {
		f.Add([]byte(seed))
	}
	log := logger.New(io.Discard, "json", slog.LevelError)
	// The router's /api/panic answers a legitimate 500: events that reach
	// it are not garbage, and are skipped below.
	h := New(testRouter(log), log)

	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(lambdaContext(t.Context(), "fuzz"), payload)
		if err != nil {
			t.Fatalf("function error %v for %q", err, payload)
		}
		r := parseResponse(t, out)
		if r.StatusCode == 500 && strings.Contains(string(payload), "panic") {
			t.Skip("reached the panic route")
		}
		if r.StatusCode < 200 || r.StatusCode > 599 || r.StatusCode == 500 {
			t.Fatalf("status %d for %q: %s", r.StatusCode, payload, out)
		}
		if ct := r.header("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q for %q", ct, payload)
		}
		if !json.Valid(r.content(t)) {
			t.Fatalf("body is not JSON for %q: %s", payload, out)
		}
		// Only a body that is not base64 may get past the checks to fail in
		// the adapter: on any other failure it prints the raw URL, token
		// and all.
		if strings.Contains(r.Body, "could not be turned into a request") {
			var ev struct {
				IsBase64Encoded bool `json:"isBase64Encoded"`
			}
			if json.Unmarshal(payload, &ev) != nil || !ev.IsBase64Encoded {
				t.Fatalf("the adapter failed on %q", payload)
			}
		}
	})
}

// addEventSeeds adds every event of testdata/events to f's corpus.
func addEventSeeds(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}
