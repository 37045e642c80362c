package lambdahttp

import (
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
)

// A handler sees what net/http would give it: the decoded body's length,
// and a Content-Type guessed at the first write whatever the status.
func TestInvokeRequestAndResponseAsNetHTTP(t *testing.T) {
	h := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Length", strconv.FormatInt(r.ContentLength, 10))
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("<html><body>" + string(b) + "</body></html>"))
	}), slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
	}{
		{"plain body", set("body", "hello")},
		{"base64 body", func(ev map[string]any) {
			ev["body"] = base64.StdEncoding.EncodeToString([]byte("hello"))
			ev["isBase64Encoded"] = true
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := invoke(t, h, v1(t, http.MethodPost, "/api/echo", tc.edit))
			if r.StatusCode != http.StatusTeapot {
				t.Errorf("status %d, want 418", r.StatusCode)
			}
			if got := r.header("X-Length"); got != "5" {
				t.Errorf("the handler saw ContentLength %s, want 5", got)
			}
			if got := r.header("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q after WriteHeader(418), want the sniffed text/html; charset=utf-8", got)
			}
		})
	}
}
