// Package decorator is the third function strategy: one explicit wrapper at
// each handler's definition, guard.Protect(authenticator, policy, log, h).
// Protect is the middleware strategy's chain in one call, not a second
// implementation of it.
//
// Pros: the requirement sits on the line that defines the handler.
// Cons: one wrapper per handler; shared steps are repeated at every site.
package decorator

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/endpoints"
	"github.com/fnguard/fnguard/strategies/guard"
)

// Name is the function's name: its URL is /.netlify/functions/decorator/...
const Name = "decorator"

// New returns the function: GET me, paid and admin.
func New(a auth.Authenticator, log *slog.Logger) guard.Handler {
	return guard.Mux(log, map[string]guard.Handler{
		"me":    guard.Protect(a, endpoints.SignedIn, log, answer(endpoints.Me)),
		"paid":  guard.Protect(a, endpoints.Paid, log, answer(endpoints.PaidContent)),
		"admin": guard.Protect(a, endpoints.Admin, log, answer(endpoints.AdminContent)),
	})
}

// answer is a handler that replies body(caller), for the caller Protect
// put in the context.
func answer[T any](body func(string, *auth.Principal) T) guard.Handler {
	return func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		p, ok := auth.FromContext(ctx)
		if !ok {
			return events.APIGatewayProxyResponse{}, auth.ErrNoToken
		}
		return guard.JSON(http.StatusOK, body(Name, p)), nil
	}
}
