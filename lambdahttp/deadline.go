package lambdahttp

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// maxReserve bounds the time kept back from the invocation's deadline.
const maxReserve = 500 * time.Millisecond

// KeepTime returns ctx ending a little before the invocation's deadline (a
// tenth of the time left, at most maxReserve). Work that waits on ctx (a
// JWKS fetch from a slow issuer) then gives up early enough to answer:
// Lambda kills a function still running at its deadline, and the caller
// gets the platform's opaque timeout instead of our 503.
func KeepTime(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := min(maxReserve, time.Until(deadline)/10)
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}

// WithTimeKept wraps a Lambda handler so that every invocation runs under
// KeepTime: what the flagship's Handler does, for every other function.
func WithTimeKept(h lambda.Handler) lambda.Handler { return timeKept{h} }

type timeKept struct{ h lambda.Handler }

func (t timeKept) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := KeepTime(ctx)
	defer cancel()
	return t.h.Invoke(ctx, payload)
}
