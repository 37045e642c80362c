// Command bare is the floor for scripts/load.sh: a plain net/http server
// with no router, middleware, token or log, answering the JSON fnguard's
// /me returns for the free persona two ways:
//
//	GET /api/me     encodes the body with encoding/json on every request
//	GET /api/const  writes the same bytes, encoded once at start
//
// Two knobs take one of fnguard's costs at a time onto the floor, for
// PARTS=1 scripts/load.sh, which says where the difference goes:
//
//	GET /api/const-headers  the constant body with the response headers
//	                        fnguard's /api/public sends (security headers,
//	                        Vary, a fresh X-Request-Id)
//	-limits                 fnguard's http.Server limits (serve.go)
//
// It listens on loopback only.
//
//	go run ./bench/bare -addr 127.0.0.1:0
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// me has the shape of routes' meResponse, encoded the same way.
type me struct {
	Subject     string    `json:"sub"`
	Roles       []string  `json:"roles"`
	Permissions []string  `json:"permissions"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	limits := flag.Bool("limits", false, "fnguard's server limits: read header 5s, read 15s, write 30s, idle 120s, 64 KiB of headers")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("bare: -addr %q: want a loopback address", *addr)
	}
	h, err := handler(time.Now())
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("bare listening on http://%s\n", ln.Addr())
	log.Fatal(server(h, *limits).Serve(ln))
}

// server is the floor's http.Server; with limits, it has the ones serve.go
// gives fnguard's local server.
func server(h http.Handler, limits bool) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	if limits {
		srv.ReadTimeout = 15 * time.Second
		srv.WriteTimeout = 30 * time.Second
		srv.IdleTimeout = 120 * time.Second
		srv.MaxHeaderBytes = 64 << 10
	}
	return srv
}

// handler answers the floor's routes, with a body that expires an hour
// after now.
func handler(now time.Time) (http.Handler, error) {
	body := me{
		Subject:     "dev|free-user",
		Roles:       []string{},
		Permissions: []string{"read:profile"},
		Scopes:      []string{"openid", "profile", "email"},
		ExpiresAt:   now.Add(time.Hour).UTC().Truncate(time.Second),
	}
	constant, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	constant = append(constant, '\n')
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(body)
	})
	mux.HandleFunc("GET /api/const", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(constant)
	})
	// The headers fnguard's /api/public answers with over plain HTTP
	// (routes' security headers, the CORS step's Vary, the logger's
	// request id), set as fnguard sets them: precomputed values, and an
	// id per request from a shared counter.
	var ids atomic.Uint64
	headers := map[string][]string{
		"Content-Type":           {"application/json"},
		"Referrer-Policy":        {"no-referrer"},
		"Vary":                   {"Origin"},
		"X-Content-Type-Options": {"nosniff"},
	}
	mux.HandleFunc("GET /api/const-headers", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range headers {
			h[k] = v
		}
		var buf [40]byte
		h["X-Request-Id"] = []string{string(strconv.AppendUint(append(buf[:0], "5ca1ab1e0ddba11d-"...), ids.Add(1), 16))}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(constant)
	})
	return mux, nil
}
