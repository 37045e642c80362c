package auth

import (
	"context"
	"slices"
	"time"
)

// Principal is a verified caller: what a valid token says about who sent it.
// The verified-token cache hands the same Principal to every request that
// carries the same token: treat it as read-only (copy a slice before
// changing it).
type Principal struct {
	Subject     string    `json:"sub"`
	Issuer      string    `json:"iss,omitempty"`
	Audience    []string  `json:"aud,omitempty"`
	Roles       []string  `json:"roles"`
	Permissions []string  `json:"permissions"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"exp"`
	KeyID       string    `json:"-"`
	TokenID     string    `json:"-"`
}

// HasRole reports whether p holds role.
func (p *Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

// HasPermission reports whether p holds permission (Auth0 RBAC "permissions").
func (p *Principal) HasPermission(perm string) bool { return slices.Contains(p.Permissions, perm) }

// HasScope reports whether p was granted scope (the "scope" claim).
func (p *Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// contextKey is this package's own, so no other package (go-jwt-middleware
// among them) can put a value there that FromContext would take for a
// verified caller.
type contextKey struct{}

// NewContext returns ctx carrying p. Authenticate and the Lambda adapter
// (strategies/guard) use it; an adapter of your own should too, so that
// FromContext and Require read the caller the same way behind all of them.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, contextKey{}, p)
}

// FromContext returns the verified caller stored in ctx, if any.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(contextKey{}).(*Principal)
	return p, ok && p != nil
}
