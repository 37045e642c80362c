package guard

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/auth"
)

// Lambda returns h as a lambda.Handler of API Gateway v1 events. An event
// that does not decode is answered 400, as the flagship's adapter answers
// it: aws-lambda-go would return a function error, which the caller sees
// as the platform's opaque 502.
func Lambda(h Handler, log *slog.Logger) lambda.Handler { return lambdaHandler{h, log} }

type lambdaHandler struct {
	h   Handler
	log *slog.Logger
}

func (l lambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		// The decoder's message names a field and a type, never a value.
		l.log.WarnContext(ctx, "bad event", "reason", err.Error())
		return json.Marshal(JSON(http.StatusBadRequest, auth.Body{Error: "bad_request", Message: "The event is not an API Gateway v1 event."}))
	}
	resp, err := l.h(ctx, ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}
