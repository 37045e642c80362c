package bench_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/routes"
)

const audience = "https://api.fnguard.test"

// issuer is one development issuer served on loopback for every benchmark:
// the verifiers fetch its discovery document and JWKS over real HTTP, as in
// production, once per verifier.
var issuer *devissuer.Issuer

func TestMain(m *testing.M) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	issuer = devissuer.New(srv.URL+"/", key, audience, auth.DefaultRolesClaim)
	h = issuer.Handler()
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// newVerifier returns a Verifier of issuer's tokens.
func newVerifier(tb testing.TB, cfg auth.Config) *auth.Verifier {
	tb.Helper()
	cfg.Issuer, cfg.Audiences = issuer.URL, []string{audience}
	v, err := auth.NewVerifier(cfg, auth.NewKeySet(issuer.URL))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// newRouter is the flagship's router with its whole middleware stack,
// logging as text to nowhere through the handler logger.New configures
// (what the server runs): the formatting cost of the request line is
// part of every request.
func newRouter(v *auth.Verifier) http.Handler {
	return routes.New(routes.Options{
		Logger:         logger.New(io.Discard, "text", slog.LevelInfo),
		Verifier:       v,
		BasePaths:      []string{"/api"},
		AllowedOrigins: []string{"https://app.fnguard.test"},
	})
}

func mint(tb testing.TB, persona string) string {
	tb.Helper()
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := issuer.Mint(p, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func request(path, token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

// poolSize distinct tokens are minted once (RS256 signing costs about a
// millisecond each) for the cold-token benchmark.
const poolSize = 1024

var (
	poolOnce sync.Once
	pool     []string
)

func tokenPool(tb testing.TB) []string {
	poolOnce.Do(func() {
		for range poolSize {
			pool = append(pool, mint(tb, "paid"))
		}
	})
	return pool
}

// sink is a ResponseWriter that keeps nothing but the status, so that the
// benchmarks measure the server and not a recorder's buffers.
type sink struct {
	h      http.Header
	status int
}

func newSink() *sink { return &sink{h: http.Header{}} }

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) Write(b []byte) (int, error) { return len(b), nil }
func (s *sink) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *sink) reset() {
	clear(s.h)
	s.status = 0
}

// serve runs r through h b.N times, failing unless each answer is want.
func serve(b *testing.B, h http.Handler, want int, next func(i int) *http.Request) {
	b.Helper()
	w := newSink()
	// One request before timing: loads the JWKS and, where a cache exists,
	// fills it.
	h.ServeHTTP(w, next(0))
	if w.status != want {
		b.Fatalf("status %d, want %d", w.status, want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		w.reset()
		h.ServeHTTP(w, next(i+1))
		if w.status != want {
			b.Fatalf("status %d, want %d", w.status, want)
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
}

// reportCPU reports the CPU time per operation since start (see cpuTime).
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// coldConfig is a verifier whose cache is smaller than the token pool.
var coldConfig = auth.Config{CacheSize: poolSize / 2}

// assertNoHits fails b unless every request verified its token in full.
func assertNoHits(b *testing.B, v *auth.Verifier) {
	b.Helper()
	if s := v.CacheStats(); s.Hits != 0 {
		b.Fatalf("cold-token benchmark hit the cache: %+v", s)
	}
}
