package guard

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Mux sends an event to the handler of its Endpoint. A function serves a
// few GET endpoints; anything else is a JSON 404 or 405, like the flagship.
func Mux(log *slog.Logger, routes map[string]Handler) Handler {
	return func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		h, ok := routes[Endpoint(ev)]
		switch {
		case !ok:
			return ErrorResponse(ctx, log, NotFound), nil
		case ev.HTTPMethod != http.MethodGet:
			return ErrorResponse(ctx, log, MethodNotAllowed(ev.HTTPMethod, http.MethodGet)), nil
		}
		return h(ctx, ev)
	}
}
