package replay_test

import (
	"context"
	"testing"
	"time"

	"github.com/fnguard/fnguard/replay"
)

// Ids are forgotten in the order they expire, whatever the order they were
// claimed in: a long-lived id claimed first must outlive a short one.
func TestMemoryForgetsIDsInTheOrderTheyExpire(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	now := start
	m := replay.NewMemory(replay.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for _, c := range []struct {
		id    string
		until time.Duration
	}{{"long", 3 * time.Minute}, {"short", time.Minute}, {"middle", 2 * time.Minute}} {
		if first, err := m.Claim(ctx, c.id, start.Add(c.until)); err != nil || !first {
			t.Fatalf("claim %s = %v, %v", c.id, first, err)
		}
	}
	steps := []struct {
		name   string
		at     time.Duration
		id     string
		wantOK bool // the claim wins: the id was forgotten
	}{
		{"the short id is remembered until its expiry", 59 * time.Second, "short", false},
		{"the short id is forgotten at its expiry", 61 * time.Second, "short", true},
		{"the long id claimed first is still remembered", 90 * time.Second, "long", false},
		{"the middle id is remembered until its expiry", 110 * time.Second, "middle", false},
		{"the middle id is forgotten at its expiry", 121 * time.Second, "middle", true},
		{"the long id is forgotten at its expiry", 181 * time.Second, "long", true},
	}
	for _, s := range steps {
		now = start.Add(s.at)
		first, err := m.Claim(ctx, s.id, now.Add(time.Hour))
		if err != nil || first != s.wantOK {
			t.Fatalf("%s: claim = %v, %v; want %v", s.name, first, err, s.wantOK)
		}
	}
}
