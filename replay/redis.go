package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// KeyPrefix namespaces the ids in Redis, so the store can share a database.
const KeyPrefix = "fnguard:jti:"

// Redis is a Store shared by every instance that talks to one Redis.
type Redis struct {
	client *redis.Client
}

// ParseRedisURL checks a REDIS_URL (redis:// or rediss://) and returns the
// client options the store will use.
func ParseRedisURL(raw string) (*redis.Options, error) {
	opts, err := redis.ParseURL(raw)
	if err != nil {
		// The parser's message may echo the URL, password included.
		return nil, errors.New("not a redis:// or rediss:// URL")
	}
	// A claim waits on Redis while a caller waits on us: keep both short.
	opts.DialTimeout = 2 * time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	// No retries: a SET NX that reached Redis but whose reply was lost
	// would, retried, report the id as already used. Better an honest 503.
	opts.MaxRetries = -1
	return opts, nil
}

// NewRedis returns a store using a client for the URL (see ParseRedisURL).
// Nothing is dialled until the first claim.
func NewRedis(rawURL string) (*Redis, error) {
	opts, err := ParseRedisURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return &Redis{client: redis.NewClient(opts)}, nil
}

// Claim implements Store with one atomic SET key 1 NX PX: Redis itself
// decides which of several concurrent claims is first, across instances.
// The expiry is relative and in milliseconds, rounded up: an absolute PXAT
// would be read on Redis's clock, and a Redis clock running ahead would
// forget the id while its token is still usable here; seconds (EX) could
// drop it up to a second early.
func (s *Redis) Claim(ctx context.Context, id string, until time.Time) (bool, error) {
	ttl := max((time.Until(until)+time.Millisecond-1)/time.Millisecond, 1)
	err := s.client.Do(ctx, "SET", KeyPrefix+id, "1", "NX", "PX", int64(ttl)).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	default:
		return false, fmt.Errorf("%w: redis: %w", ErrUnavailable, err)
	}
}

// Close releases the client's connections.
func (s *Redis) Close() error { return s.client.Close() }
