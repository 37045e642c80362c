package securitytest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/syncbuf"
	"github.com/fnguard/fnguard/routes"
)

// Server is the flagship's router, built by routes.New exactly as the
// local server builds it, served over loopback with the local server's
// limits, and trusting an Issuer.
type Server struct {
	URL  string // http://127.0.0.1:PORT
	Keys *auth.KeySet

	srv  *httptest.Server
	logs *syncbuf.Buffer
}

// ServerOptions tune what the fault and load tests need to control.
type ServerOptions struct {
	// ClientTimeout bounds each JWKS request (default 5s, the KeySet's).
	ClientTimeout time.Duration
	// MinRefresh is the least time between two JWKS fetches (default 5s).
	MinRefresh time.Duration
	// Clock replaces time.Now in the KeySet, to drive its rate limit.
	Clock func() time.Time
	// Logs receives the server's log lines instead of Server.Logs: a long
	// load test would otherwise keep them all in memory.
	Logs io.Writer
}

// NewServer starts the router on loopback; it is closed when tb ends.
func NewServer(tb testing.TB, iss *Issuer, o ServerOptions) *Server {
	tb.Helper()
	if o.ClientTimeout == 0 {
		o.ClientTimeout = 5 * time.Second
	}
	if o.MinRefresh == 0 {
		o.MinRefresh = 5 * time.Second
	}
	logs := &syncbuf.Buffer{}
	var w io.Writer = logs
	if o.Logs != nil {
		w = o.Logs
	}
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := []auth.KeySetOption{
		auth.WithLogger(log),
		auth.WithHTTPClient(&http.Client{Timeout: o.ClientTimeout}),
		auth.WithMinRefreshInterval(o.MinRefresh),
	}
	if o.Clock != nil {
		opts = append(opts, auth.WithClock(o.Clock))
	}
	keys := auth.NewKeySet(iss.URL, opts...)
	v, err := auth.NewVerifier(auth.Config{
		Issuer:     iss.URL,
		Audiences:  []string{iss.Audience},
		RolesClaim: iss.RolesClaim,
		ClockSkew:  30 * time.Second,
	}, keys)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(routes.New(routes.Options{
		Logger:    log,
		Verifier:  v,
		BasePaths: []string{"/api"},
	}))
	// The limits of the local server (serve.go).
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Config.MaxHeaderBytes = 64 << 10
	srv.Config.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	srv.Start()
	tb.Cleanup(srv.Close)
	return &Server{URL: srv.URL, Keys: keys, srv: srv, logs: logs}
}

// Logs returns every line the server logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// Close stops the server and closes its connections.
func (s *Server) Close() { s.srv.Close() }

// Clock is a time source that moves only when told, so a test decides
// when the KeySet's rate limit allows the next fetch, without sleeping.
type Clock struct{ now atomic.Int64 }

// NewClock returns a Clock set to the real time.
func NewClock() *Clock {
	c := &Clock{}
	c.now.Store(time.Now().UnixNano())
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.now.Load()) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.now.Add(int64(d)) }
