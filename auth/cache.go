package auth

import (
	"context"
	"crypto/sha256"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the verified-token cache (Config.CacheSize, Config.CacheTTL).
const (
	// DefaultCacheSize bounds the cache to about 6 MB of Principals (about
	// 500 bytes per token; see docs/PERFORMANCE.md).
	DefaultCacheSize = 10000
	// DefaultCacheTTL caps how long a verified token is trusted without
	// checking its signature again. Hits never look up a key, so they never
	// notice that the JWKS is stale; an entry that lapses sends the token
	// back through KeySet.Key, which refreshes keys older than their max
	// age, and that refresh drops the tokens of keys that are gone. The cap
	// is thus what the cache adds to the time a revoked key keeps working.
	DefaultCacheTTL = time.Minute
)

// minPerShard keeps small caches in one shard, so that a cache of size n
// holds n tokens and not n spread thinly over shards that evict early.
const (
	cacheShards = 16
	minPerShard = 16
)

// tokenCache remembers the Principals of tokens one Verifier accepted, so a
// token is verified (parsed, signature checked with RSA) once, not once per
// request.
//
// It belongs to a single Verifier, hence to one issuer, audience list,
// algorithm and roles claim: a token accepted for one audience can never be
// found by a verifier for another. Keys are SHA-256 digests of the token, so
// the cache holds no credentials, and finding an entry means holding the
// exact token that was verified (a collision is as hard as forging a
// signature). Only successful verifications are stored.
//
// Each shard is an LRU list under its own mutex; a hit costs a hash, a map
// lookup and a few pointer swaps. The size is a hard bound: eviction happens
// before an insert would exceed it.
type tokenCache struct {
	shards   []cacheShard
	perShard int
	ttl      time.Duration // the cap, see DefaultCacheTTL
	skew     time.Duration // the Verifier's leeway for exp
	now      func() time.Time

	// epoch changes whenever keys are dropped. A verification that started
	// before a drop may have used a key the drop removed; put refuses its
	// result rather than resurrect a token of a revoked key.
	epoch atomic.Uint64
}

type cacheShard struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*cacheEntry
	lru     cacheEntry // sentinel: lru.next is the most recently used
	stats   CacheStats
}

type cacheEntry struct {
	key        [sha256.Size]byte
	p          *Principal
	recheckAt  time.Time // verifiedAt + ttl: verify the signature again after
	prev, next *cacheEntry
}

// CacheStats counts what the verified-token cache did.
type CacheStats struct {
	Hits      int64 // answered from the cache, valid or expired
	Misses    int64 // verified in full
	Evictions int64 // dropped to stay within the size limit
	Dropped   int64 // dropped because their key left the JWKS
	Entries   int64 // tokens held now
}

// newTokenCache returns a cache of at most size (> 0) tokens.
func newTokenCache(size int, ttl, skew time.Duration) *tokenCache {
	n := cacheShards
	if size < cacheShards*minPerShard {
		n = 1
	}
	c := &tokenCache{shards: make([]cacheShard, n), perShard: size / n, ttl: ttl, skew: skew, now: time.Now}
	for i := range c.shards {
		s := &c.shards[i]
		s.entries = make(map[[sha256.Size]byte]*cacheEntry)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
	}
	return c
}

// verify answers from the cache, or calls verify and remembers a success.
func (c *tokenCache) verify(ctx context.Context, token string, verify func(context.Context, string) (*Principal, error)) (*Principal, error) {
	var buf [2048]byte
	key := sha256.Sum256(tokenBytes(&buf, token))
	s := &c.shards[int(key[0])%len(c.shards)]
	if p, hit, err := c.get(s, key); hit {
		return p, err
	}
	epoch := c.epoch.Load()
	p, err := verify(ctx, token)
	if err == nil {
		c.put(s, key, p, epoch)
	}
	return p, err
}

// tokenBytes is token as bytes for hashing, in buf (on the caller's stack)
// when it fits: []byte(token) would put a copy on the heap per request.
func tokenBytes(buf *[2048]byte, token string) []byte {
	if len(token) <= len(buf) {
		return buf[:copy(buf[:], token)]
	}
	return []byte(token)
}

// get answers from the cache: hit is false when the token must be verified
// in full; on a hit, err is set when the token has expired since.
func (c *tokenCache) get(s *cacheShard, key [sha256.Size]byte) (p *Principal, hit bool, err error) {
	now := c.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok {
		s.stats.Misses++
		return nil, false, nil
	}
	switch {
	case now.After(e.p.ExpiresAt.Add(c.skew)):
		// The same rule, and the same answer, as the validator's exp
		// check: being cached never extends a token's life.
		s.remove(e)
		s.stats.Hits++
		return nil, true, &Error{Err: ErrTokenExpired, Reason: "token expired", KeyID: e.p.KeyID, Subject: e.p.Subject}
	case !now.Before(e.recheckAt):
		s.remove(e)
		s.stats.Misses++
		return nil, false, nil
	}
	s.stats.Hits++
	if s.lru.next != e {
		s.unlink(e)
		s.pushFront(e)
	}
	return e.p, true, nil
}

func (c *tokenCache) put(s *cacheShard, key [sha256.Size]byte, p *Principal, epoch uint64) {
	recheckAt := c.now().Add(c.ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Read under the shard lock: drop bumps the epoch before it sweeps the
	// shards, so either we see the new epoch or the sweep sees our entry.
	if c.epoch.Load() != epoch {
		return
	}
	if old, ok := s.entries[key]; ok {
		s.remove(old) // two requests verified the same token at once
	}
	for len(s.entries) >= c.perShard {
		s.remove(s.lru.prev)
		s.stats.Evictions++
	}
	e := &cacheEntry{key: key, p: p, recheckAt: recheckAt}
	s.entries[key] = e
	s.pushFront(e)
}

// drop forgets every token verified with one of kids. It is registered with
// KeySet.OnChange, which calls it with the keys a refresh found gone.
func (c *tokenCache) drop(kids []string) {
	c.epoch.Add(1)
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, e := range s.entries {
			if slices.Contains(kids, e.p.KeyID) {
				s.remove(e)
				s.stats.Dropped++
			}
		}
		s.mu.Unlock()
	}
}

func (c *tokenCache) stats() CacheStats {
	var t CacheStats
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		t.Hits += s.stats.Hits
		t.Misses += s.stats.Misses
		t.Evictions += s.stats.Evictions
		t.Dropped += s.stats.Dropped
		t.Entries += int64(len(s.entries))
		s.mu.Unlock()
	}
	return t
}

func (s *cacheShard) remove(e *cacheEntry) {
	delete(s.entries, e.key)
	s.unlink(e)
}

func (s *cacheShard) unlink(e *cacheEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (s *cacheShard) pushFront(e *cacheEntry) {
	e.prev, e.next = &s.lru, s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

// CacheStats reports what the verified-token cache did so far; all zero
// when the cache is off (Config.CacheSize < 0).
func (v *Verifier) CacheStats() CacheStats {
	if v.cache == nil {
		return CacheStats{}
	}
	return v.cache.stats()
}

// or returns v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
