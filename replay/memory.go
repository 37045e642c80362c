package replay

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxEntries bounds a Memory store. At one entry per redeemed token
// that lives at most a few minutes, reaching it means a flood, not traffic.
const DefaultMaxEntries = 1 << 20

// Memory is a Store held in one process. Expired ids are swept as claims
// arrive (at most once per sweep interval), so memory stays bounded by the
// ids of tokens still alive, without a goroutine to stop.
type Memory struct {
	now        func() time.Time
	maxEntries int
	interval   time.Duration

	mu        sync.Mutex
	seen      map[string]time.Time
	nextSweep time.Time
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) MemoryOption { return func(m *Memory) { m.now = now } }

// WithMaxEntries bounds how many live ids the store holds. When it is full
// of ids that have not expired, Claim fails closed with ErrUnavailable
// rather than forget an id early (which would let its token be replayed).
func WithMaxEntries(n int) MemoryOption { return func(m *Memory) { m.maxEntries = n } }

// NewMemory returns an empty in-process store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{
		now:        time.Now,
		maxEntries: DefaultMaxEntries,
		interval:   10 * time.Second,
		seen:       map[string]time.Time{},
	}
	for _, opt := range opts {
		opt(m)
	}
	return m
}

// Claim implements Store.
func (m *Memory) Claim(ctx context.Context, id string, until time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[id]; ok && now.Before(exp) {
		return false, nil
	}
	if !now.Before(m.nextSweep) || len(m.seen) >= m.maxEntries {
		m.sweep(now)
	}
	if len(m.seen) >= m.maxEntries {
		return false, fmt.Errorf("%w: %d live ids, the configured maximum", ErrUnavailable, len(m.seen))
	}
	m.seen[id] = until
	return true, nil
}

func (m *Memory) sweep(now time.Time) {
	for id, exp := range m.seen {
		if !now.Before(exp) {
			delete(m.seen, id)
		}
	}
	m.nextSweep = now.Add(m.interval)
}

// Len reports how many ids the store holds, expired ones not yet swept
// included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}
