package logger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
)

type entryKey struct{}
type seedKey struct{}

// entry is one request seen by Middleware: the writer that records its
// status and size, what downstream code learns about it (the caller's
// subject, an auth denial) for its log lines, and the request's context,
// which it is (the parent's, answering entryKey with itself). One
// allocation per request.
type entry struct {
	context.Context // the request's context before Middleware

	w           http.ResponseWriter
	status      int
	bytes       int
	wroteHeader bool

	mu       sync.Mutex
	attrs    []slog.Attr
	audit    []slog.Attr
	attrsBuf [2]slog.Attr // room for Set's usual one or two attrs
	idHeader [1]string    // the X-Request-Id header's value

	// route is chi's routing context for the request when Middleware
	// wraps a chi router (and no router outside it has one): the router
	// finds it in the context and uses it instead of taking one from its
	// pool and copying the request to carry it. ownsRoute says e answers
	// for it; patterns is room for its route patterns.
	route     chi.Context
	ownsRoute bool
	patterns  [2]string
}

// Value is the parent context's, with entryKey answered by e, and chi's
// route context key by e.route when e owns it: one allocation fewer than
// context.WithValue, and two fewer for the router inside.
func (e *entry) Value(key any) any {
	switch key {
	case entryKey{}:
		return e
	case chi.RouteCtxKey:
		if e.ownsRoute {
			return &e.route
		}
	}
	return e.Context.Value(key)
}

func (e *entry) Header() http.Header { return e.w.Header() }

func (e *entry) WriteHeader(status int) {
	if !e.wroteHeader && status >= 200 {
		e.status, e.wroteHeader = status, true
	}
	e.w.WriteHeader(status)
}

func (e *entry) Write(b []byte) (int, error) {
	if !e.wroteHeader {
		e.status, e.wroteHeader = http.StatusOK, true
	}
	n, err := e.w.Write(b)
	e.bytes += n
	return n, err
}

// Flush lets streaming answers through, when the server's writer can.
func (e *entry) Flush() {
	if !e.wroteHeader {
		e.status, e.wroteHeader = http.StatusOK, true
	}
	if f, ok := e.w.(http.Flusher); ok {
		f.Flush()
	}
}

// ReadFrom keeps the server's sendfile path for files (http.FileServer
// copies into the writer).
func (e *entry) ReadFrom(r io.Reader) (int64, error) {
	if !e.wroteHeader {
		e.status, e.wroteHeader = http.StatusOK, true
	}
	n, err := io.Copy(e.w, r)
	e.bytes += int(n)
	return n, err
}

// Unwrap is for http.ResponseController.
func (e *entry) Unwrap() http.ResponseWriter { return e.w }

// WithAttrs returns ctx carrying attrs that the request line will include.
// Adapters that see the request before the router (the Lambda adapter with
// its request id) use it.
func WithAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(seedKey{}).([]slog.Attr)
	return context.WithValue(ctx, seedKey{}, append(prev[:len(prev):len(prev)], attrs...))
}

// Set adds attrs to the log line of the request ctx belongs to. It is a
// no-op outside Middleware.
func Set(ctx context.Context, attrs ...slog.Attr) {
	if e, ok := ctx.Value(entryKey{}).(*entry); ok {
		e.mu.Lock()
		e.attrs = append(e.attrs, attrs...)
		e.mu.Unlock()
	}
}

// Audit records why a request was refused; Middleware writes it as its own
// "access denied" line once the request is done, with the matched route.
func Audit(ctx context.Context, attrs ...slog.Attr) {
	if e, ok := ctx.Value(entryKey{}).(*entry); ok {
		e.mu.Lock()
		e.audit = append(e.audit, attrs...)
		e.mu.Unlock()
	}
}

// RequestIDHeader carries the request id back to the client.
const RequestIDHeader = "X-Request-Id"

// Middleware logs one line per request: method, path, route, status, bytes,
// duration, our request id (also sent back as X-Request-Id), the client's
// X-Request-Id as client_request_id when it is plain, and whatever
// downstream code added with Set; plus an audit line for each 401 and 403.
//
// Wrapped around a chi router (rather than installed in it with Use), it
// also provides the router's routing context, which saves the router two
// allocations and a copy of the request. The route then reaches the log
// line all the same. The context's Routes is left nil (chi sets it only
// for a routing context of its own); nothing of ours reads it.
func Middleware(log *slog.Logger) func(http.Handler) http.Handler {
	ids := newRequestIDs()
	routes := &routeCache{m: make(map[[2]string]string)}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := ids.next()
			e := &entry{Context: r.Context(), w: w}
			if r.Context().Value(chi.RouteCtxKey) == nil {
				e.ownsRoute = true
				e.route.RoutePatterns = e.patterns[:0]
			}
			e.idHeader[0] = id
			w.Header()[RequestIDHeader] = e.idHeader[:]
			e.attrs = e.attrsBuf[:0]
			var ctx context.Context = e
			next.ServeHTTP(e, r.WithContext(ctx))

			status := e.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			e.mu.Lock()
			audit := e.audit
			if len(audit) == 0 && !log.Enabled(ctx, level) {
				e.mu.Unlock()
				return
			}
			route := ""
			if rc := chi.RouteContext(ctx); rc != nil {
				route = routes.pattern(rc)
			}
			end := time.Now()
			path := SafePath(r.URL.Path)
			seed, _ := ctx.Value(seedKey{}).([]slog.Attr)
			clientID := clientRequestID(r)
			var buf [12]slog.Attr
			attrs := append(buf[:0],
				slog.String("method", r.Method),
				slog.String("path", path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", e.bytes),
				slog.Duration("duration", end.Sub(start)),
				slog.String("request_id", id),
			)
			if clientID != "" {
				attrs = append(attrs, slog.String("client_request_id", clientID))
			}
			attrs = append(attrs, seed...)
			attrs = append(attrs, e.attrs...)
			e.mu.Unlock()

			logAttrs(ctx, log, end, level, "request", attrs...)
			if len(audit) > 0 {
				a := append([]slog.Attr{
					slog.String("route", route),
					slog.String("method", r.Method),
					slog.String("path", path),
					slog.Int("status", status),
					slog.String("request_id", id),
				}, seed...)
				if clientID != "" {
					a = append(a, slog.String("client_request_id", clientID))
				}
				a = append(a, audit...)
				logAttrs(ctx, log, end, slog.LevelWarn, "access denied", a...)
			}
		})
	}
}

// routeCache remembers chi's RoutePattern for a route under one Mount (two
// patterns, as every API route is): chi joins them, and replaces the
// wildcard, anew for every request. The patterns are the router's, never
// the client's, so the cache is as small as the route table; it stops
// growing at maxRoutes all the same.
type routeCache struct {
	mu sync.RWMutex
	m  map[[2]string]string
}

const maxRoutes = 1024

func (c *routeCache) pattern(rc *chi.Context) string {
	if len(rc.RoutePatterns) != 2 {
		return rc.RoutePattern()
	}
	k := [2]string{rc.RoutePatterns[0], rc.RoutePatterns[1]}
	c.mu.RLock()
	p, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p = rc.RoutePattern()
	c.mu.Lock()
	if len(c.m) < maxRoutes {
		c.m[k] = p
	}
	c.mu.Unlock()
	return p
}

// requestIDs hands out the ids of one Middleware's requests: a random
// prefix per Middleware, so that two instances' ids do not collide, then a
// counter, so that no two requests share one. A client's X-Request-Id is
// never used as ours: anyone could send the id of another request and make
// two requests look like one in the logs.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:]) + "-"}
}

func (ids *requestIDs) next() string {
	var buf [40]byte
	b := append(buf[:0], ids.prefix...)
	return string(strconv.AppendUint(b, ids.n.Add(1), 16))
}

// clientRequestID is the client's X-Request-Id when it is short and plain
// (so it cannot smuggle anything into a log line), for the log only.
func clientRequestID(r *http.Request) string {
	// The key is canonical already: a map look-up is Header.Get's answer.
	if v := r.Header[RequestIDHeader]; len(v) > 0 && v[0] != "" && len(v[0]) <= 64 && plain(v[0]) {
		return v[0]
	}
	return ""
}

// plain reports s made of letters, digits, '-', '_' and '.' only.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// SafePath returns p with every segment that looks like a JWT replaced by
// "[redacted]": a token pasted into a URL must not survive into the logs.
func SafePath(p string) string {
	if !strings.Contains(p, "eyJ") {
		return p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.Contains(s, "eyJ") && strings.Count(s, ".") >= 1 {
			segs[i] = "[redacted]"
		}
	}
	return strings.Join(segs, "/")
}
