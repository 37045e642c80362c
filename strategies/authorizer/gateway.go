package authorizer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/guard"
)

// CacheTTL is the authorizer result cache of template.yaml
// (ReauthorizeEvery), which the local stand-in for API Gateway reproduces.
const CacheTTL = 300 * time.Second

// GatewayResponse is what API Gateway answers by itself for a gateway
// response type, as template.yaml configures it: the flagship's status,
// challenge and JSON body. API Gateway cannot tell a missing token from an
// invalid one (an authorizer can only say "Unauthorized"), so both get the
// no-token answer.
func GatewayResponse(responseType string) events.APIGatewayProxyResponse {
	var err error
	switch responseType {
	case "UNAUTHORIZED":
		err = auth.ErrNoToken
	case "ACCESS_DENIED":
		err = auth.ErrForbidden
	default: // AUTHORIZER_FAILURE, AUTHORIZER_CONFIGURATION_ERROR
		err = auth.ErrUnavailable
	}
	return guard.Deny(context.Background(), nil, err)
}

// Gateway stands in for API Gateway in front of the protected function,
// locally and in tests: for each request it calls the REQUEST authorizer
// (or reuses the policy cached for the same Authorization header, as API
// Gateway does for TTL), enforces the policy on the request's route,
// answers refusals with GatewayResponse, and passes the authorizer's
// context to the function.
type Gateway struct {
	Authorize  func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error)
	Function   guard.Handler
	Routes     []Route
	TTL        time.Duration    // authorizer result cache; 0 turns it off
	PathPrefix string           // cut from event paths: "/.netlify/functions" locally
	Now        func() time.Time // default time.Now
	Log        *slog.Logger

	mu    sync.Mutex
	cache map[string]cachedPolicy
}

type cachedPolicy struct {
	resp    events.APIGatewayCustomAuthorizerResponse
	expires time.Time
}

// The API Gateway the local server pretends to be.
var localARN = MethodARN{Partition: "aws", Region: "local", Account: "000000000000", API: "local", Stage: "local"}

// Handle implements guard.Handler.
func (g *Gateway) Handle(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	path := strings.TrimPrefix(ev.Path, g.PathPrefix)
	var route *Route
	for i := range g.Routes {
		if g.Routes[i].Path == path {
			route = &g.Routes[i]
		}
	}
	if route == nil {
		return guard.ErrorResponse(ctx, g.Log, guard.NotFound), nil
	}
	if ev.HTTPMethod != route.Method {
		return guard.ErrorResponse(ctx, g.Log, guard.MethodNotAllowed(ev.HTTPMethod, route.Method)), nil
	}
	arn := localARN
	arn.Method, arn.Path = ev.HTTPMethod, route.Path

	// The identity source: without it API Gateway answers 401 itself.
	identity := guard.RequestOf(ctx, ev).Header.Values("Authorization")
	if len(identity) == 0 || identity[0] == "" {
		return GatewayResponse("UNAUTHORIZED"), nil
	}
	key := strings.Join(identity, "\x00")
	resp, ok := g.cached(key)
	if !ok {
		var err error
		resp, err = g.Authorize(ctx, events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type:              "REQUEST",
			MethodArn:         arn.String(),
			Resource:          route.Path,
			Path:              path,
			HTTPMethod:        ev.HTTPMethod,
			Headers:           ev.Headers,
			MultiValueHeaders: ev.MultiValueHeaders,
			RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
				Path: path, AccountID: arn.Account, Stage: arn.Stage, RequestID: ev.RequestContext.RequestID,
				ResourcePath: route.Path, HTTPMethod: ev.HTTPMethod, APIID: arn.API,
			},
		})
		switch {
		case err != nil && err.Error() == ErrUnauthorized.Error():
			return GatewayResponse("UNAUTHORIZED"), nil
		case err != nil:
			return GatewayResponse("AUTHORIZER_FAILURE"), nil
		}
		g.store(key, resp)
	}
	if !Allows(resp.PolicyDocument, arn.String()) {
		return GatewayResponse("ACCESS_DENIED"), nil
	}
	ev.Resource = route.Path
	ev.RequestContext.Authorizer = map[string]any{"principalId": resp.PrincipalID}
	for k, v := range resp.Context {
		// REST APIs hand the function every context value as a string.
		ev.RequestContext.Authorizer[k] = fmt.Sprint(v)
	}
	return g.Function(ctx, ev)
}

func (g *Gateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Gateway) cached(key string) (events.APIGatewayCustomAuthorizerResponse, bool) {
	if g.TTL <= 0 {
		return events.APIGatewayCustomAuthorizerResponse{}, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.cache[key]
	if !ok || !g.now().Before(c.expires) {
		delete(g.cache, key)
		return events.APIGatewayCustomAuthorizerResponse{}, false
	}
	return c.resp, true
}

// maxCached bounds the local cache: random tokens must not grow it forever.
const maxCached = 1024

func (g *Gateway) store(key string, resp events.APIGatewayCustomAuthorizerResponse) {
	if g.TTL <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cache == nil || len(g.cache) >= maxCached {
		g.cache = map[string]cachedPolicy{}
	}
	g.cache[key] = cachedPolicy{resp: resp, expires: g.now().Add(g.TTL)}
}
