package replay_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fnguard/fnguard/replay"
	"github.com/fnguard/fnguard/replay/redistest"
)

// stores returns each Store implementation, fresh, for t.
func stores(t *testing.T) map[string]replay.Store {
	srv := redistest.Start(t)
	r, err := replay.NewRedis(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return map[string]replay.Store{"memory": replay.NewMemory(), "redis": r}
}

func TestStoreClaimsAnIDOnce(t *testing.T) {
	ctx := context.Background()
	until := time.Now().Add(time.Minute)
	for name, s := range stores(t) {
		t.Run(name+": first claim wins, second loses, another id is independent", func(t *testing.T) {
			for i, tc := range []struct {
				id   string
				want bool
			}{{"a", true}, {"a", false}, {"b", true}, {"a", false}, {"b", false}} {
				got, err := s.Claim(ctx, tc.id, until)
				if err != nil || got != tc.want {
					t.Fatalf("claim %d (%s) = %v, %v; want %v, nil", i, tc.id, got, err, tc.want)
				}
			}
		})
	}
}

func TestConcurrentClaimsOfOneIDHaveExactlyOneWinner(t *testing.T) {
	const workers = 50
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make(chan bool, workers)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					first, err := s.Claim(context.Background(), "contended", time.Now().Add(time.Minute))
					if err != nil {
						t.Error(err)
					}
					results <- first
				}()
			}
			close(start)
			wg.Wait()
			close(results)
			wins := 0
			for first := range results {
				if first {
					wins++
				}
			}
			if wins != 1 {
				t.Fatalf("%d of %d concurrent claims won; want exactly 1", wins, workers)
			}
		})
	}
}

func TestMemoryForgetsAnIDOnlyAfterItExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := replay.NewMemory(replay.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	claim := func(id string, until time.Time) bool {
		t.Helper()
		first, err := m.Claim(ctx, id, until)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	if !claim("x", now.Add(time.Minute)) {
		t.Fatal("first claim lost")
	}
	now = now.Add(59 * time.Second)
	if claim("x", now.Add(time.Minute)) {
		t.Fatal("claim one second before expiry won: the token could be replayed")
	}
	now = now.Add(time.Second)
	if !claim("x", now.Add(time.Minute)) {
		t.Fatal("claim after expiry lost: the id was never forgotten")
	}
}

func TestMemorySweepsExpiredIDs(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := replay.NewMemory(replay.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if _, err := m.Claim(ctx, id, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Hour)
	if _, err := m.Claim(ctx, "d", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := m.Len(); got != 1 {
		t.Fatalf("Len after a sweep = %d; want 1 (only the live id)", got)
	}
}

func TestFullMemoryStoreFailsClosed(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := replay.NewMemory(replay.WithClock(func() time.Time { return now }), replay.WithMaxEntries(2))
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if _, err := m.Claim(ctx, id, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if first, err := m.Claim(ctx, "c", now.Add(time.Minute)); !errors.Is(err, replay.ErrUnavailable) || first {
		t.Fatalf("claim in a full store = %v, %v; want false, ErrUnavailable", first, err)
	}
	if first, _ := m.Claim(ctx, "a", now.Add(time.Minute)); first {
		t.Fatal("a full store forgot a live id")
	}
	now = now.Add(2 * time.Minute)
	if first, err := m.Claim(ctx, "c", now.Add(time.Minute)); err != nil || !first {
		t.Fatalf("claim once the live ids expired = %v, %v; want true, nil", first, err)
	}
}

func TestCanceledContextIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			first, err := s.Claim(ctx, "x", time.Now().Add(time.Minute))
			if !errors.Is(err, replay.ErrUnavailable) || first {
				t.Fatalf("Claim = %v, %v; want false, ErrUnavailable", first, err)
			}
		})
	}
}

func TestRedisKeepsTheIDUntilTheGivenTime(t *testing.T) {
	srv := redistest.Start(t)
	s, err := replay.NewRedis(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	until := time.Now().Add(42 * time.Second)
	if first, err := s.Claim(context.Background(), "ttl", until); err != nil || !first {
		t.Fatalf("Claim = %v, %v", first, err)
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	// The key must live as long as the token, measured on our clock (a
	// relative TTL): at least the 42 s left, less the time this test took.
	left, err := c.PTTL(context.Background(), replay.KeyPrefix+"ttl").Result()
	if err != nil {
		t.Fatal(err)
	}
	if remaining := time.Until(until); left < remaining-time.Second || left > 42*time.Second+time.Millisecond {
		t.Fatalf("key lives %v more; want the token's remaining %v (to within a second)", left, remaining)
	}
}

func TestRedisGoneFailsClosed(t *testing.T) {
	srv := redistest.Start(t)
	s, err := replay.NewRedis(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if first, err := s.Claim(ctx, "before", time.Now().Add(time.Minute)); err != nil || !first {
		t.Fatalf("Claim while Redis is up = %v, %v", first, err)
	}
	srv.Kill()
	for _, id := range []string{"after", "before"} {
		first, err := s.Claim(ctx, id, time.Now().Add(time.Minute))
		if !errors.Is(err, replay.ErrUnavailable) || first {
			t.Fatalf("Claim(%s) with Redis gone = %v, %v; want false, ErrUnavailable", id, first, err)
		}
	}
}

func TestBadRedisURLIsRefusedWithoutEchoingIt(t *testing.T) {
	for _, raw := range []string{"", "http://user:hunter2@example.com", "redis://:hunter2@host:notaport", "::"} {
		_, err := replay.NewRedis(raw)
		if err == nil {
			t.Fatalf("NewRedis(%q) accepted it", raw)
		}
		if strings.Contains(err.Error(), "hunter2") || (raw != "" && strings.Contains(err.Error(), raw)) {
			t.Fatalf("error %q echoes the URL", err)
		}
	}
}
