// Package inline is the first function strategy: a plain Lambda handler
// that checks its caller itself, in its first lines.
//
// Pros: nothing to learn, every check is in sight. Cons: each handler must
// remember the check; forgetting it is silent.
package inline

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/endpoints"
	"github.com/fnguard/fnguard/strategies/guard"
)

// Name is the function's name: its URL is /.netlify/functions/inline/...
const Name = "inline"

// New returns the function: GET me, paid and admin.
func New(a auth.Authenticator, log *slog.Logger) guard.Handler {
	me := func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		p, err := guard.Authorize(ctx, a, endpoints.SignedIn, ev)
		if err != nil {
			return guard.Deny(ctx, log, err), nil
		}
		return guard.JSON(http.StatusOK, endpoints.Me(Name, p)), nil
	}
	paid := func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		p, err := guard.Authorize(ctx, a, endpoints.Paid, ev)
		if err != nil {
			return guard.Deny(ctx, log, err), nil
		}
		return guard.JSON(http.StatusOK, endpoints.PaidContent(Name, p)), nil
	}
	admin := func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		p, err := guard.Authorize(ctx, a, endpoints.Admin, ev)
		if err != nil {
			return guard.Deny(ctx, log, err), nil
		}
		return guard.JSON(http.StatusOK, endpoints.AdminContent(Name, p)), nil
	}
	return guard.Mux(log, map[string]guard.Handler{"me": me, "paid": paid, "admin": admin})
}
