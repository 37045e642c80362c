package replay

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxEntries bounds a Memory store. At one entry per redeemed token
// that lives at most a few minutes, reaching it means a flood, not traffic.
const DefaultMaxEntries = 1 << 20

// Memory is a Store held in one process. Expired ids are swept as claims
// arrive, so memory stays bounded by the ids of tokens still alive, without
// a goroutine to stop. The ids are also kept in order of expiry, so a sweep
// costs what it removes: a store full of live ids (a flood) must not make
// every claim scan all of them under the lock.
type Memory struct {
	now        func() time.Time
	maxEntries int

	mu       sync.Mutex
	seen     map[string]time.Time
	byExpiry expiryHeap
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
	m.sweep(now)
	if _, ok := m.seen[id]; ok {
		return false, nil
	}
	if len(m.seen) >= m.maxEntries {
		return false, fmt.Errorf("%w: %d live ids, the configured maximum", ErrUnavailable, len(m.seen))
	}
	m.seen[id] = until
	heap.Push(&m.byExpiry, expiring{id, until})
	return true, nil
}

// sweep forgets the ids whose time has come, soonest first.
func (m *Memory) sweep(now time.Time) {
	for len(m.byExpiry) > 0 && !now.Before(m.byExpiry[0].until) {
		e := heap.Pop(&m.byExpiry).(expiring)
		if exp, ok := m.seen[e.id]; ok && exp.Equal(e.until) {
			delete(m.seen, e.id)
		}
	}
}

type expiring struct {
	id    string
	until time.Time
}

// expiryHeap is a container/heap of ids, soonest expiry first.
type expiryHeap []expiring

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiring)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// Len reports how many ids the store holds, expired ones not yet swept
// (by the next claim) included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}
