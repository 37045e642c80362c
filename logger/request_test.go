package logger

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func TestSafePath(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain path is kept", "/api/me", "/api/me"},
		{"a JWT segment is masked", "/api/me/eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "/api/me/[redacted]"},
		{"a two-part JWT-like segment is masked", "/x/eyJhbGci.eyJzdWI/y", "/x/[redacted]/y"},
		{"eyJ without a dot is kept", "/api/eyJust", "/api/eyJust"},
		{"several segments", "/eyJa.b/ok/eyJc.d", "/[redacted]/ok/[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafePath(tt.in); got != tt.want {
				t.Errorf("SafePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, " warn ": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseLevel("loud"); err == nil || !strings.Contains(err.Error(), "debug, info, warn or error") {
		t.Errorf("ParseLevel(loud) error = %v", err)
	}
}

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func TestMiddlewareWritesRequestAndAuditLines(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "json", slog.LevelInfo)
	h := Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Set(r.Context(), slog.String("sub", "user-1"))
		Audit(r.Context(), slog.String("reason", "requires role:admin"))
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("nope"))
	}))
	ctx := WithAttrs(context.Background(), slog.String("lambda_request_id", "aws-req-1"))
	req := httptest.NewRequest("GET", "/api/admin?access_token=secret-token", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer secret-token")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	if strings.Contains(buf.String(), "secret-token") {
		t.Fatalf("token logged:\n%s", buf.String())
	}
	ls := lines(t, &buf)
	if len(ls) != 2 {
		t.Fatalf("want a request line and an audit line, got %d:\n%s", len(ls), buf.String())
	}
	reqLine, audit := ls[0], ls[1]
	for k, want := range map[string]any{"msg": "request", "path": "/api/admin", "status": float64(403), "bytes": float64(4),
		"sub": "user-1", "lambda_request_id": "aws-req-1"} {
		if reqLine[k] != want {
			t.Errorf("request line %s = %v, want %v", k, reqLine[k], want)
		}
	}
	for k, want := range map[string]any{"msg": "access denied", "level": "WARN", "status": float64(403),
		"reason": "requires role:admin", "lambda_request_id": "aws-req-1", "request_id": reqLine["request_id"]} {
		if audit[k] != want {
			t.Errorf("audit line %s = %v, want %v", k, audit[k], want)
		}
	}
	if rec.Header().Get(RequestIDHeader) != reqLine["request_id"] {
		t.Errorf("X-Request-Id %q does not match the log", rec.Header().Get(RequestIDHeader))
	}
}

func TestRequestIDIsOursAndTheClientsIsLoggedApart(t *testing.T) {
	tests := []struct {
		name, sent   string
		clientLogged string // "" when the client's id must not be logged
	}{
		{"a plain client id is logged apart from ours", "abc-123_x.y", "abc-123_x.y"},
		{"no client id logs none", "", ""},
		{"a client id with spaces is not logged", "abc 123", ""},
		{"a client id with a newline is not logged", "abc\ninjected=1", ""},
		{"an overlong client id is not logged", strings.Repeat("a", 65), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := Middleware(New(&buf, "json", slog.LevelInfo))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				Audit(r.Context(), slog.String("reason", "test"))
				w.WriteHeader(http.StatusUnauthorized)
			}))
			// The same client id twice: the two requests must not look like one.
			var ids []string
			for range 2 {
				req := httptest.NewRequest("GET", "/api/me", nil)
				if tt.sent != "" {
					req.Header[RequestIDHeader] = []string{tt.sent}
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				ids = append(ids, rec.Header().Get(RequestIDHeader))
			}
			if ids[0] == "" || ids[0] == ids[1] || ids[0] == tt.sent || ids[1] == tt.sent {
				t.Fatalf("X-Request-Id answers = %q for a client id %q: want two ids of our own", ids, tt.sent)
			}
			ls := lines(t, &buf)
			if len(ls) != 4 {
				t.Fatalf("want a request and an audit line per request, got %d:\n%s", len(ls), buf.String())
			}
			for i, l := range ls {
				if l["request_id"] != ids[i/2] {
					t.Errorf("line %d request_id = %v, want %s", i, l["request_id"], ids[i/2])
				}
				got, _ := l["client_request_id"].(string)
				if got != tt.clientLogged {
					t.Errorf("line %d client_request_id = %q, want %q", i, got, tt.clientLogged)
				}
			}
		})
	}
}

func TestNoAuditLineWithoutDenial(t *testing.T) {
	var buf bytes.Buffer
	h := Middleware(New(&buf, "json", slog.LevelInfo))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/public", nil))
	ls := lines(t, &buf)
	if len(ls) != 1 || ls[0]["status"] != float64(200) {
		t.Fatalf("lines = %v", ls)
	}
}

// The request and audit lines New's handler writes straight from their
// attributes are the lines slog's own handlers write, the time and the
// duration aside.
func TestMiddlewareLinesAreSlogs(t *testing.T) {
	clock := regexp.MustCompile(`("?time"?[=:]"?)[^ ",]+|("?duration"?[=:])[^ ,}]+`)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var outs [2]string
			for i := range outs {
				var buf bytes.Buffer
				log := New(&buf, format, slog.LevelInfo)
				if i == 1 {
					opts := &slog.HandlerOptions{Level: slog.LevelInfo}
					log = slog.New(slog.NewTextHandler(&buf, opts))
					if format == "json" {
						log = slog.New(slog.NewJSONHandler(&buf, opts))
					}
				}
				h := Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					Set(r.Context(), slog.String("sub", "auth0|user 1"))
					Audit(r.Context(), slog.String("reason", `requires "admin"`))
					w.WriteHeader(http.StatusForbidden)
				}))
				req := httptest.NewRequest(http.MethodGet, "/api/admin?x=1", nil)
				req.Header.Set(RequestIDHeader, "client-7")
				h.ServeHTTP(httptest.NewRecorder(), req)
				outs[i] = clock.ReplaceAllString(buf.String(), "$1$2T")
				// Each Middleware has its own request id prefix.
				outs[i] = regexp.MustCompile(`[0-9a-f]{16}-1`).ReplaceAllString(outs[i], "ID")
			}
			if outs[0] != outs[1] {
				t.Errorf("New's lines:\n%s\nslog's:\n%s", outs[0], outs[1])
			}
			if strings.Count(outs[0], "\n") != 2 {
				t.Errorf("want a request line and an audit line, got %q", outs[0])
			}
		})
	}
}

func TestMiddlewareKeepsTheRequestsContext(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	cancel()
	var got context.Context
	h := Middleware(New(io.Discard, "json", slog.LevelInfo))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Context()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(parent))
	if got.Value(key{}) != "v" {
		t.Errorf("a value of the parent context is lost")
	}
	if got.Err() != context.Canceled {
		t.Errorf("Err() = %v, want the parent's cancellation", got.Err())
	}
	select {
	case <-got.Done():
	default:
		t.Errorf("Done() is not the parent's")
	}
}

// The route of a request under a Mount is remembered per pair of
// patterns: each request still gets its own route. Installed in the router
// (Use) or wrapped around it, where the router routes with the entry's
// routing context: the route, the URL parameters and r.Pattern are the same.
func TestMiddlewareNamesEachMountedRoute(t *testing.T) {
	for _, around := range []bool{false, true} {
		t.Run(map[bool]string{false: "in the router", true: "around the router"}[around], func(t *testing.T) {
			var buf bytes.Buffer
			mw := Middleware(New(&buf, "json", slog.LevelInfo))
			r := chi.NewRouter()
			if !around {
				r.Use(mw)
			}
			api := chi.NewRouter()
			var seen []string
			ok := func(w http.ResponseWriter, r *http.Request) {
				seen = append(seen, r.Pattern+" id="+chi.URLParam(r, "id"))
			}
			api.Get("/me", ok)
			api.Get("/items/{id}", ok)
			r.Mount("/api", api)
			r.Mount("/v2", api)
			var h http.Handler = r
			if around {
				h = mw(r)
			}
			paths := []string{"/api/me", "/api/items/7", "/v2/me", "/api/me", "/api/items/8", "/v2/items/9"}
			for _, p := range paths {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
			}
			want := []string{"/api/me", "/api/items/{id}", "/v2/me", "/api/me", "/api/items/{id}", "/v2/items/{id}"}
			wantSeen := []string{"/api/me id=", "/api/items/{id} id=7", "/v2/me id=", "/api/me id=", "/api/items/{id} id=8", "/v2/items/{id} id=9"}
			if !slices.Equal(seen, wantSeen) {
				t.Errorf("handlers saw %q, want %q", seen, wantSeen)
			}
			for i, l := range lines(t, &buf) {
				if l["route"] != want[i] {
					t.Errorf("%s: route %v, want %s", paths[i], l["route"], want[i])
				}
			}
		})
	}
}
