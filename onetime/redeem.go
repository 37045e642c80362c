package onetime

import (
	"context"
	"errors"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/replay"
)

// Redeemer accepts each single-use token once.
type Redeemer struct {
	verifier *Verifier
	store    replay.Store
}

// NewRedeemer returns a Redeemer checking tokens with v and recording them
// in store.
func NewRedeemer(v *Verifier, store replay.Store) (*Redeemer, error) {
	if v == nil || store == nil {
		return nil, errors.New("a verifier and a replay store are required")
	}
	return &Redeemer{verifier: v, store: store}, nil
}

// Redeem verifies token, checks that it grants action, and consumes it.
// Errors: auth.ErrInvalidToken for a bad, expired or already used token;
// auth.ErrForbidden for a valid token for another action (it is not
// consumed); auth.ErrUnavailable when the replay store cannot answer (the
// token is refused: fail closed).
func (r *Redeemer) Redeem(ctx context.Context, token, action string) (*Claims, error) {
	c, err := r.verifier.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	if c.Action != action {
		return nil, &auth.Error{Err: auth.ErrForbidden, Reason: "token is for action " + truncate(c.Action), Subject: c.Subject}
	}
	first, err := r.store.Claim(ctx, c.ID, r.verifier.usableUntil(c))
	switch {
	case err != nil:
		return nil, &auth.Error{Err: auth.ErrUnavailable, Reason: err.Error(), Subject: c.Subject}
	case !first:
		return nil, &auth.Error{Err: auth.ErrTokenUsed, Reason: "token already used", Subject: c.Subject}
	}
	return c, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
