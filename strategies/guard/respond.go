package guard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
)

// JSON is a response with v as its JSON body. Answers are per caller, so no
// shared cache may keep them.
func JSON(status int, v any) events.APIGatewayProxyResponse {
	var b bytes.Buffer
	// Encode, as the flagship's handlers do, so bodies match byte for byte
	// (a trailing newline included).
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		_ = json.NewEncoder(&b).Encode(auth.Body{Error: "internal_error", Message: "Something went wrong on our side."})
	}
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           "application/json",
			"Cache-Control":          "private, no-store",
			"X-Content-Type-Options": "nosniff",
		},
		Body: b.String(),
	}
}

// Deny is the response to a request refused with err, as auth.Describe
// says: status, WWW-Authenticate challenge and JSON body. It is the only
// place a Lambda function builds an auth error response. It also logs why,
// with the subject when known, never the token.
func Deny(ctx context.Context, log *slog.Logger, err error) events.APIGatewayProxyResponse {
	d := auth.Describe(err)
	audit(ctx, log, err, d)
	resp := JSON(d.Status, d.Body())
	resp.Headers["Cache-Control"] = "no-store"
	for k, v := range d.Headers() {
		resp.Headers[k] = v
	}
	return resp
}

// Error is a failure a handler reports for the chain to answer: an HTTP
// status and the "error" and "message" members of the usual JSON body.
type Error struct {
	Status  int
	Code    string
	Message string
	Allow   string // the Allow header of a 405 (RFC 9110 §15.5.6)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NotFound is the answer for an endpoint a function does not have.
var NotFound = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "No such route."}

// MethodNotAllowed is the answer for a method an endpoint does not take;
// allow is what it takes.
func MethodNotAllowed(method, allow string) *Error {
	return &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "This route does not accept " + method + ".", Allow: allow}
}

// ErrorResponse answers a handler's error: auth errors through Deny, *Error
// as it says, anything else as an opaque 500 (logged, never shown).
func ErrorResponse(ctx context.Context, log *slog.Logger, err error) events.APIGatewayProxyResponse {
	var he *Error
	switch {
	case errors.As(err, &he):
		resp := JSON(he.Status, auth.Body{Error: he.Code, Message: he.Message})
		if he.Allow != "" {
			resp.Headers["Allow"] = he.Allow
		}
		return resp
	case isAuthError(err):
		return Deny(ctx, log, err)
	default:
		log.ErrorContext(ctx, "handler failed", "err", err)
		return JSON(http.StatusInternalServerError, auth.Body{Error: "internal_error", Message: "Something went wrong on our side."})
	}
}

func isAuthError(err error) bool {
	for _, s := range []error{auth.ErrNoToken, auth.ErrInvalidToken, auth.ErrForbidden, auth.ErrUnavailable} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func audit(ctx context.Context, log *slog.Logger, err error, d auth.Denial) {
	if log == nil {
		return
	}
	attrs := []any{"status", d.Status, "error", d.Code, "reason", err.Error()}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		attrs = append(attrs, "lambda_request_id", lc.AwsRequestID)
	}
	var e *auth.Error
	if errors.As(err, &e) {
		if e.Subject != "" {
			attrs = append(attrs, "sub", e.Subject)
		}
		if e.KeyID != "" {
			attrs = append(attrs, "kid", e.KeyID)
		}
	}
	log.WarnContext(ctx, "access denied", attrs...)
}
