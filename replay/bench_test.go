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

// BenchmarkClaimWhenFull is a claim refused by a Memory store full of live
// ids, as a flood of redeemed tokens leaves it: it must cost what any claim
// costs, not a scan of every id under the store's lock (15 ms a claim at
// the default bound, serialising every redemption, before the ids were kept
// in order of expiry).
func BenchmarkClaimWhenFull(b *testing.B) {
	m := replay.NewMemory()
	until := time.Now().Add(time.Hour)
	for i := range replay.DefaultMaxEntries {
		if first, err := m.Claim(context.Background(), strconv.Itoa(i), until); err != nil || !first {
			b.Fatalf("Claim = %v, %v", first, err)
		}
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := m.Claim(context.Background(), "flood-"+strconv.Itoa(i), until); err == nil {
			b.Fatal("a full store took another id")
		}
	}
}
