package auth

import (
	"context"
	"runtime"
	"testing"
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
