// Package replay remembers which single-use token ids (jti) were already
// redeemed, so a token can be used exactly once.
//
// Two stores implement Store: Memory, for one process (local development,
// tests, a single long-lived server), and Redis, shared by every instance of
// a function. Both record an id with an expiry: once the token it belongs to
// has expired, the token is refused on its age alone and the id can go.
package replay

import (
	"context"
	"errors"
	"time"
)

// ErrUnavailable is returned when a store cannot say whether an id was seen.
// Callers must refuse the token: accepting it could accept a replay.
var ErrUnavailable = errors.New("replay store unavailable")

// Store records single-use ids.
type Store interface {
	// Claim records id until the given time and reports whether this call
	// was the first to record it. It is atomic: of any number of concurrent
	// calls with one id, exactly one reports true. An error wraps
	// ErrUnavailable and means nothing is known: refuse.
	Claim(ctx context.Context, id string, until time.Time) (first bool, err error)
}
