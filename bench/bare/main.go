// Command bare is the floor for scripts/load.sh: a plain net/http server
// with no router, middleware, token or log, answering the JSON fnguard's
// /me returns for the free persona two ways:
//
//	GET /api/me     encodes the body with encoding/json on every request
//	GET /api/const  writes the same bytes, encoded once at start
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
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("bare: -addr %q: want a loopback address", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	body := me{
		Subject:     "dev|free-user",
		Roles:       []string{},
		Permissions: []string{"read:profile"},
		Scopes:      []string{"openid", "profile", "email"},
		ExpiresAt:   time.Now().Add(time.Hour).UTC().Truncate(time.Second),
	}
	constant, err := json.Marshal(body)
	if err != nil {
		log.Fatal(err)
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
	fmt.Printf("bare listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.Serve(ln))
}
