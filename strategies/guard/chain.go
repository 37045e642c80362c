package guard

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
)

// Middleware wraps a Handler: the Go counterpart of a middy middleware.
type Middleware func(Handler) Handler

// Chain wraps h in mw, the first outermost: Chain(h, a, b) runs a, then b,
// then h.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Recover answers for the handlers inside it: an error they return becomes
// its JSON response (see ErrorResponse), and a panic an opaque 500. A
// function error would reach the client as Netlify's or API Gateway's bare
// 502, and a panic would kill the execution environment.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev events.APIGatewayProxyRequest) (resp events.APIGatewayProxyResponse, err error) {
			defer func() {
				if v := recover(); v != nil {
					log.ErrorContext(ctx, "panic serving event", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					resp, err = ErrorResponse(ctx, log, fmt.Errorf("panic: %v", v)), nil
				}
			}()
			resp, err = next(ctx, ev)
			if err != nil {
				return ErrorResponse(ctx, log, err), nil
			}
			return resp, nil
		}
	}
}

// Authenticate lets through only events whose caller a verifies, and puts
// that caller in the context (read it with auth.FromContext).
func Authenticate(a auth.Authenticator, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			p, err := a.Authenticate(ctx, RequestOf(ctx, ev))
			if err != nil {
				return Deny(ctx, log, err), nil
			}
			return next(auth.NewContext(ctx, p), ev)
		}
	}
}

// Require lets through only events whose caller, put in the context by
// Authenticate, satisfies policy. Without Authenticate before it, nobody
// passes.
func Require(policy auth.Policy, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			p, _ := auth.FromContext(ctx)
			if err := auth.Check(p, policy); err != nil {
				return Deny(ctx, log, err), nil
			}
			return next(ctx, ev)
		}
	}
}

// Protect is the decorator form of the chain: h runs only for callers a
// verifies and policy allows, and its errors become JSON responses.
func Protect(a auth.Authenticator, policy auth.Policy, log *slog.Logger, h Handler) Handler {
	return Chain(h, Recover(log), Authenticate(a, log), Require(policy, log))
}
