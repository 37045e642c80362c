package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
)

// Every request that finds the keys stale while a refresh is held at a slow
// issuer must not leave a goroutine behind waiting for it: a flood of
// tokens with a known kid and a bad signature would pile up one per request
// for as long as the fetch takes.
func TestStaleKeysDuringASlowRefreshCostNoGoroutinePerRequest(t *testing.T) {
	ti, ks, g := staleKeysHeldAtIssuer(t)

	before := runtime.NumGoroutine()
	const n = 1000
	for range n {
		if _, err := ks.Key(context.Background(), ti.KeyID(), rs256); err != nil {
			t.Fatalf("stale but known key: %v", err)
		}
	}
	if grown := runtime.NumGoroutine() - before; grown > n/10 {
		t.Errorf("%d lookups while a refresh was in flight left %d more goroutines; want none per lookup", n, grown)
	}
	g.release()
	if f := ks.Fetches(); f != 2 {
		t.Errorf("fetches = %d, want 2 (the warm-up and one background refresh)", f)
	}
}

// TestEveryRedirectHopStaysOnHTTPS: a chain that passes through plain http
// off loopback and ends on loopback would pass a check of the final URL
// only; the keys would have crossed the network in clear on the way.
func TestEveryRedirectHopStaysOnHTTPS(t *testing.T) {
	ti := newTestIssuer(t)
	var hops, served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "http://keys.example.test/hop", http.StatusFound)
		case "/hop":
			// Reached only if the client followed the plain-http hop.
			hops.Add(1)
			http.Redirect(w, r, "http://127.0.0.1/jwks.json", http.StatusFound)
		case "/jwks.json":
			served.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{publicJWK(ti.Key(), ti.KeyID())}})
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	client := &http.Client{Timeout: 5 * time.Second, Transport: rewriteHost{target}}
	ks := NewKeySet(ti.URL, WithJWKSURL(srv.URL+"/start"), WithHTTPClient(client))
	_, err := ks.Key(context.Background(), ti.KeyID(), rs256)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("err = %v, want ErrUnavailable naming the plain-http hop", err)
	}
	if n := hops.Load(); n != 0 {
		t.Errorf("the plain-http hop was requested %d times", n)
	}
	if n := served.Load(); n != 0 {
		t.Errorf("keys were served %d times through the plain-http hop", n)
	}
	if client.CheckRedirect != nil {
		t.Errorf("the caller's client was modified")
	}
}
