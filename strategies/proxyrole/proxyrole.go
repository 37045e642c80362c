// Package proxyrole holds the functions of the proxy-level strategy:
// Netlify checks the nf_jwt cookie and routes by role before a request
// reaches them (the role rules of netlify.toml), and hands them the caller
// in the Lambda client context.
//
// They do not rely on that alone. A rule can be misconfigured or bypassed
// (/.netlify/functions/<name> is reachable directly), and `netlify dev`
// fills the client context from any bearer JWT without checking it. So each
// function authenticates the caller itself with auth.Netlify (re-verifying
// the Identity token with NETLIFY_JWT_SECRET) and holds them to the same
// role its rule requires.
//
// Pros: the check runs before any function starts, and a static page can
// be protected the same way. Cons: Netlify-only, roles only, and the rules
// live in a file far from the code, so the function must check again.
package proxyrole

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/strategies/guard"
)

// Function is one function behind a role rule.
type Function struct {
	Name string
	// Policy is who may call it: the roles its rule in netlify.toml lets
	// through (a test in package netlifydev holds the two together).
	Policy  auth.Policy
	Message string
}

// Functions of the strategy.
var (
	AdminOnly = Function{Name: "admin-only", Policy: auth.Role("admin"),
		Message: "Welcome, admin: Netlify let you through, and this function checked again."}
	PaidOnly = Function{Name: "paid-only", Policy: auth.AnyRole("paid", "admin"),
		Message: "Thanks for paying: Netlify let you through, and this function checked again."}
)

// Handler returns the function: whatever the path, it answers callers a
// authenticates and f.Policy allows.
func (f Function) Handler(a auth.Authenticator, log *slog.Logger) guard.Handler {
	return guard.Protect(a, f.Policy, log, func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		p, _ := auth.FromContext(ctx)
		return guard.JSON(http.StatusOK, map[string]any{
			"function": f.Name,
			"message":  f.Message,
			"sub":      p.Subject,
			"roles":    p.Roles,
		}), nil
	})
}

// Authenticator is the Netlify Identity provider for these functions: it
// re-verifies tokens when a secret is configured, and trusts an unverified
// client context only in development (never in Lambda).
func Authenticator(n config.Netlify, inLambda bool) (*auth.Netlify, error) {
	return auth.NewNetlify(auth.NetlifyConfig{
		Secret:                 n.JWTSecret,
		RolesPath:              n.RolesPath,
		TrustUnverifiedContext: !inLambda && len(n.JWTSecret) == 0,
	})
}
