// Package endpoints is what the example functions do once a caller is let
// in: the same answers as the flagship's /me, /paid and /admin, plus the
// name of the strategy that let the caller in. Who may call each one is the
// strategies' business, not this package's.
package endpoints

import (
	"time"

	"github.com/fnguard/fnguard/auth"
)

// Policies of the three endpoints every strategy protects.
var (
	SignedIn = auth.Authenticated()
	Paid     = auth.AnyRole("paid", "admin")
	Admin    = auth.Role("admin")
)

// MeBody is the answer of "me": who the caller is.
type MeBody struct {
	Strategy    string    `json:"strategy"`
	Subject     string    `json:"sub"`
	Roles       []string  `json:"roles"`
	Permissions []string  `json:"permissions"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// MessageBody is the answer of "paid" and "admin".
type MessageBody struct {
	Strategy string `json:"strategy"`
	Message  string `json:"message"`
	Subject  string `json:"sub"`
}

// Me describes the caller p.
func Me(strategy string, p *auth.Principal) MeBody {
	return MeBody{strategy, p.Subject, p.Roles, p.Permissions, p.Scopes, p.ExpiresAt.UTC()}
}

// PaidContent is what only paying customers (and admins) get.
func PaidContent(strategy string, p *auth.Principal) MessageBody {
	return MessageBody{strategy, "Thanks for being a paying customer.", p.Subject}
}

// AdminContent is what only admins get.
func AdminContent(strategy string, p *auth.Principal) MessageBody {
	return MessageBody{strategy, "Welcome, admin.", p.Subject}
}
