package replay_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnguard/fnguard/replay"
	"github.com/fnguard/fnguard/replay/redistest"
)

// BenchmarkClaim measures one first claim of a fresh id, in parallel, per
// store: the cost a redemption adds to a request.
func BenchmarkClaim(b *testing.B) {
	srv := redistest.Start(b)
	r, err := replay.NewRedis(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	// One counter for every run: b.Run calls each body several times, and
	// an id must never be claimed twice.
	var n atomic.Int64
	// Millions of live ids fill the default bound (the store then refuses,
	// as it should); the benchmark measures claims, not that refusal.
	for name, s := range map[string]replay.Store{"memory": replay.NewMemory(replay.WithMaxEntries(1 << 26)), "redis": r} {
		b.Run(name, func(b *testing.B) {
			until := time.Now().Add(time.Minute)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					first, err := s.Claim(context.Background(), "bench-"+strconv.FormatInt(n.Add(1), 10), until)
					if err != nil || !first {
						b.Errorf("Claim = %v, %v", first, err)
						return
					}
				}
			})
		})
	}
}
