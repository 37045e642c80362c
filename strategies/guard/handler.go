package guard

import (
	"context"
	"path"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/eventheader"
)

// Handler is the shape of every function of the guide: an API Gateway v1
// event in (Netlify sends this shape), a response out.
type Handler func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// NetlifyContextKey is the key of clientContext.custom under which Netlify
// passes the caller's identity.
const NetlifyContextKey = "netlify"

// RequestOf is what an Authenticator may see of an event: its headers, read
// by eventheader.Header's rule as the flagship reads them, and the Netlify
// client context of the invocation, when there is one.
func RequestOf(ctx context.Context, ev events.APIGatewayProxyRequest) auth.Request {
	r := auth.Request{Header: eventheader.Header(ev.MultiValueHeaders, ev.Headers)}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.NetlifyContext = lc.ClientContext.Custom[NetlifyContextKey]
	}
	return r
}

// Authorize is the whole check for one event: authenticate the caller, then
// hold them to policy. It returns the caller, or an error for Deny.
func Authorize(ctx context.Context, a auth.Authenticator, policy auth.Policy, ev events.APIGatewayProxyRequest) (*auth.Principal, error) {
	p, err := a.Authenticate(ctx, RequestOf(ctx, ev))
	if err != nil {
		return nil, err
	}
	if err := auth.Check(p, policy); err != nil {
		return nil, err
	}
	return p, nil
}

// Endpoint is the last segment of the event's path: "admin" for both
// /.netlify/functions/inline/admin (a direct call) and /inline/admin (a call
// through a redirect, where Netlify passes the original path).
func Endpoint(ev events.APIGatewayProxyRequest) string {
	return path.Base(strings.TrimRight(ev.Path, "/"))
}
