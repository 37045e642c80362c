package main

import (
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/routes"
)

// TestConstHeadersAreFnguards keeps /api/const-headers honest: it must
// answer the header names fnguard's /api/public answers with over plain
// HTTP, with the same values except the request id, or load.sh's PARTS
// decomposition measures something else.
func TestConstHeadersAreFnguards(t *testing.T) {
	v, err := auth.NewVerifier(auth.Config{Issuer: "https://issuer.fnguard.test/", Audiences: []string{"https://api.fnguard.test"}},
		auth.NewKeySet("https://issuer.fnguard.test/"))
	if err != nil {
		t.Fatal(err)
	}
	fn := routes.New(routes.Options{
		Logger:         logger.New(io.Discard, "text", slog.LevelInfo),
		Verifier:       v,
		BasePaths:      []string{"/api"},
		AllowedOrigins: []string{"https://app.fnguard.test"},
	})
	bare, err := handler(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := serve(t, fn, "/api/public")
	got := serve(t, bare, "/api/const-headers")
	if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
		t.Fatalf("bare's header names %q, fnguard's %q", g, w)
	}
	for k, w := range want {
		if k != logger.RequestIDHeader && !slices.Equal(got[k], w) {
			t.Errorf("%s: bare %q, fnguard %q", k, got[k], w)
		}
	}
	if a, b := got.Get(logger.RequestIDHeader), serve(t, bare, "/api/const-headers").Get(logger.RequestIDHeader); a == "" || a == b {
		t.Errorf("request ids %q then %q: want a fresh one per request", a, b)
	}
}

func serve(t *testing.T, h http.Handler, path string) http.Header {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
	}
	return w.Result().Header
}

func TestLimits(t *testing.T) {
	if s := server(http.NotFoundHandler(), false); s.ReadHeaderTimeout != 5*time.Second || s.ReadTimeout != 0 || s.WriteTimeout != 0 || s.IdleTimeout != 0 {
		t.Errorf("without -limits: %+v", s)
	}
	if s := server(http.NotFoundHandler(), true); s.ReadHeaderTimeout != 5*time.Second || s.ReadTimeout != 15*time.Second || s.WriteTimeout != 30*time.Second || s.IdleTimeout != 120*time.Second || s.MaxHeaderBytes != 64<<10 {
		t.Errorf("with -limits: %+v", s)
	}
}
