package flagship_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/flagship"
	"github.com/fnguard/fnguard/internal/securitytest"
)

const audience = "https://api.fnguard.test"

func lambdaConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"
	env["AUTH0_AUDIENCE"] = audience
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type response struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// TestLambdaCompressesOnlyWhereTheAnswerCanCarryIt: `netlify dev` drops
// isBase64Encoded, so there the flagship answers a gzip-accepting client
// with a plain body; everywhere else it gzips, base64-encoded.
func TestLambdaCompressesOnlyWhereTheAnswerCanCarryIt(t *testing.T) {
	iss := securitytest.NewIssuer(t, audience, auth.DefaultRolesClaim)
	token := iss.Token(t, "admin", time.Hour)
	tests := []struct {
		name     string
		env      map[string]string
		wantGzip bool
	}{
		{"deployed, a gzip-accepting client gets gzip in base64", map[string]string{}, true},
		{"under netlify dev, a gzip-accepting client gets plain JSON", map[string]string{"NETLIFY_DEV": "true"}, false},
		{"NETLIFY_DEV=false changes nothing", map[string]string{"NETLIFY_DEV": "false"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["AUTH_ISSUER_URL"] = iss.URL
			h, err := flagship.Lambda(lambdaConfig(t, tt.env), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ev, _ := json.Marshal(map[string]any{
				"httpMethod": "GET", "path": "/api/me",
				"headers": map[string]string{"authorization": "Bearer " + token, "accept-encoding": "gzip, deflate, br"},
			})
			out, err := h.Invoke(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			var r response
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatal(err)
			}
			if r.StatusCode != 200 {
				t.Fatalf("status %d, body %s", r.StatusCode, r.Body)
			}
			body := []byte(r.Body)
			if tt.wantGzip {
				if r.Headers["Content-Encoding"] != "gzip" || !r.IsBase64Encoded {
					t.Fatalf("Content-Encoding %q, isBase64Encoded %v; want gzip in base64", r.Headers["Content-Encoding"], r.IsBase64Encoded)
				}
				raw, err := base64.StdEncoding.DecodeString(r.Body)
				if err != nil {
					t.Fatal(err)
				}
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			} else if r.Headers["Content-Encoding"] != "" || r.IsBase64Encoded {
				t.Fatalf("Content-Encoding %q, isBase64Encoded %v; want a plain body", r.Headers["Content-Encoding"], r.IsBase64Encoded)
			}
			if !strings.Contains(string(body), `"sub":"dev|admin-user"`) {
				t.Fatalf("body %s, want the admin's /me", body)
			}
		})
	}
}

func TestLambdaNeedsAnIssuer(t *testing.T) {
	cfg := lambdaConfig(t, map[string]string{"AUTH_ISSUER_URL": "https://issuer.example/"})
	cfg.Issuer = ""
	_, err := flagship.Lambda(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "AUTH0_DOMAIN") {
		t.Fatalf("err = %v, want a refusal naming AUTH0_DOMAIN", err)
	}
}
