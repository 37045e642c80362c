// Package middleware is the second function strategy, the Go counterpart of
// middy: handlers are wrapped in a reusable chain that authenticates the
// caller, then holds them to a policy. A handler reads its caller from the
// context, never sees an unauthenticated event, and leaves its errors to
// the chain, which answers them as JSON.
//
// Pros: the check is declared once per chain and cannot be half-done.
// Cons: what protects a handler is read where the chain is built, not in it.
package middleware

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/endpoints"
	"github.com/fnguard/fnguard/strategies/guard"
)

// Name is the function's name: its URL is /.netlify/functions/middleware/...
const Name = "middleware"

// New returns the function: GET me, paid and admin.
func New(a auth.Authenticator, log *slog.Logger) guard.Handler {
	// The chain every handler shares; each route adds its policy last.
	signedIn := []guard.Middleware{guard.Recover(log), guard.Authenticate(a, log)}
	use := func(h guard.Handler, policy auth.Policy) guard.Handler {
		return guard.Chain(h, append(signedIn[:len(signedIn):len(signedIn)], guard.Require(policy, log))...)
	}
	return guard.Mux(log, map[string]guard.Handler{
		"me":    use(me, endpoints.SignedIn),
		"paid":  use(paid, endpoints.Paid),
		"admin": use(admin, endpoints.Admin),
	})
}

func caller(ctx context.Context) (*auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		// Unreachable behind the chain; if the chain is ever rebuilt
		// without Authenticate, fail closed, and let the chain answer.
		return nil, auth.ErrNoToken
	}
	return p, nil
}

func me(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return guard.JSON(http.StatusOK, endpoints.Me(Name, p)), nil
}

func paid(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return guard.JSON(http.StatusOK, endpoints.PaidContent(Name, p)), nil
}

func admin(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return guard.JSON(http.StatusOK, endpoints.AdminContent(Name, p)), nil
}
