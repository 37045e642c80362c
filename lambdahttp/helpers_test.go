package lambdahttp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/fnguard/fnguard/logger"
)

// echoed is what the test router's /api/echo answers: what the request
// looked like once the adapter turned the event into one.
type echoed struct {
	Method       string   `json:"method"`
	Path         string   `json:"path"`
	Query        string   `json:"query"`
	Body         string   `json:"body"`
	Cookie       string   `json:"cookie"`
	XTest        string   `json:"x_test"`
	ProxyHeaders []string `json:"proxy_headers"` // names starting X-GoLambdaProxy-
	Deadline     int64    `json:"deadline_unix_nano"`
}

// testRouter is a small chi app behind the adapter: the adapter's job is
// the same whatever the routes are.
func testRouter(log *slog.Logger) *chi.Mux {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method_not_allowed"})
	})
	r.Use(logger.Middleware(log), middleware.Compress(5, "application/json"))
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e := echoed{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body),
			Cookie: r.Header.Get("Cookie"), XTest: r.Header.Get("X-Test"), ProxyHeaders: []string{}}
		for name := range r.Header {
			if strings.HasPrefix(strings.ToLower(name), "x-golambdaproxy-") {
				e.ProxyHeaders = append(e.ProxyHeaders, name)
			}
		}
		sort.Strings(e.ProxyHeaders)
		if dl, ok := r.Context().Deadline(); ok {
			e.Deadline = dl.UnixNano()
		}
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		writeJSON(w, http.StatusOK, e)
	}
	r.Get("/api/echo", echo)
	r.Post("/api/echo", echo)
	r.Get("/api/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// response holds both payload versions' response fields.
type response struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	Cookies           []string            `json:"cookies"`
}

func parseResponse(t testing.TB, out []byte) response {
	t.Helper()
	var r response
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %q is not JSON: %v", out, err)
	}
	return r
}

// header reads a single-value response header whatever its case.
func (r response) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// content returns the body as the client reads it: base64-decoded and
// decompressed.
func (r response) content(t testing.TB) []byte {
	t.Helper()
	b := []byte(r.Body)
	if r.IsBase64Encoded {
		var err error
		if b, err = base64.StdEncoding.DecodeString(r.Body); err != nil {
			t.Fatalf("isBase64Encoded body is not base64: %v", err)
		}
	}
	var rd io.Reader
	switch enc := r.header("Content-Encoding"); enc {
	case "", "identity":
		return b
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		rd = zr
	case "deflate":
		rd = flate.NewReader(bytes.NewReader(b))
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	plain, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("decompress body: %v", err)
	}
	return plain
}

// fixture reads testdata/events/name and lets edit change it. Events are
// edited as maps, not as aws-lambda-go structs, so they keep exactly the
// fields the platform sends.
func fixture(t testing.TB, name string, edit func(ev map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if edit != nil {
		edit(ev)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// v1 is the Netlify event for method and path; v2 the Function URL event.
func v1(t testing.TB, method, path string, edits ...func(map[string]any)) []byte {
	return fixture(t, "netlify-v1.json", func(ev map[string]any) {
		ev["httpMethod"], ev["path"] = method, path
		for _, e := range edits {
			e(ev)
		}
	})
}

func v2(t testing.TB, method, path string, edits ...func(map[string]any)) []byte {
	return fixture(t, "function-url-v2.json", func(ev map[string]any) {
		ev["rawPath"] = path
		h := ev["requestContext"].(map[string]any)["http"].(map[string]any)
		h["method"], h["path"] = method, path
		for _, e := range edits {
			e(ev)
		}
	})
}

// withHeader sets a request header the way each payload version carries it.
func withHeader(name, value string) func(map[string]any) {
	return func(ev map[string]any) {
		ev["headers"].(map[string]any)[name] = value
		if mv, ok := ev["multiValueHeaders"].(map[string]any); ok {
			mv[name] = []string{value}
		}
	}
}

func set(key string, value any) func(map[string]any) {
	return func(ev map[string]any) { ev[key] = value }
}

func without(key string) func(map[string]any) {
	return func(ev map[string]any) { delete(ev, key) }
}
