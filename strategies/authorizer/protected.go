package authorizer

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/jws"
	"github.com/fnguard/fnguard/strategies/endpoints"
	"github.com/fnguard/fnguard/strategies/guard"
)

// ContextExpires carries the token's exp (Unix seconds) to the function,
// which refuses the call once it has passed.
const ContextExpires = "exp"

// expiryLeeway is the clock skew tolerated between the issuer and the
// function, as the flagship's verifier tolerates by default.
const expiryLeeway = 30 * time.Second

// Protected is the function behind the authorizer. It never sees a token:
// API Gateway calls it only after the authorizer's policy allowed the call,
// and hands it the authorizer's context. It still holds that caller to the
// route's policy, which costs nothing: a cache key or a route added to the
// API but not to Routes must not open the admin route.
func Protected(routes []Route, log *slog.Logger) guard.Handler {
	bodies := map[string]func(*auth.Principal) any{
		"me":    func(p *auth.Principal) any { return endpoints.Me(Name, p) },
		"paid":  func(p *auth.Principal) any { return endpoints.PaidContent(Name, p) },
		"admin": func(p *auth.Principal) any { return endpoints.AdminContent(Name, p) },
	}
	return func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		resource := ev.Resource
		if resource == "" {
			resource = ev.Path
		}
		var route *Route
		for i := range routes {
			if routes[i].Path == resource {
				route = &routes[i]
			}
		}
		var body func(*auth.Principal) any
		if route != nil {
			body = bodies[path.Base(route.Path)]
		}
		switch {
		case body == nil:
			return guard.ErrorResponse(ctx, log, guard.NotFound), nil
		case ev.HTTPMethod != route.Method:
			return guard.ErrorResponse(ctx, log, guard.MethodNotAllowed(ev.HTTPMethod, route.Method)), nil
		}
		p, err := PrincipalFromContext(ev.RequestContext.Authorizer)
		if err == nil && time.Now().After(p.ExpiresAt.Add(expiryLeeway)) {
			// API Gateway applies a cached Allow for the whole cache TTL,
			// past the exp of the token it was issued for.
			err = &auth.Error{Err: auth.ErrTokenExpired, Reason: "token expired after the authorizer allowed it", Subject: p.Subject}
		}
		if err == nil {
			err = auth.Check(p, route.Policy)
		}
		if err != nil {
			return guard.Deny(ctx, log, err), nil
		}
		return guard.JSON(http.StatusOK, body(p)), nil
	}
}

// PrincipalFromContext reads the caller from an authorizer's context as
// API Gateway passes it to the function (requestContext.authorizer). No
// context means the function was reached without the authorizer: 401.
func PrincipalFromContext(authz map[string]any) (*auth.Principal, error) {
	sub, _ := authz[ContextSubject].(string)
	if sub == "" {
		return nil, &auth.Error{Err: auth.ErrNoToken, Reason: "no authorizer context: is the function behind the authorizer?"}
	}
	if id, ok := authz["principalId"]; ok && id != sub {
		return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "authorizer principalId is not its sub", Subject: sub}
	}
	p := &auth.Principal{Subject: sub, Roles: []string{}, Permissions: []string{}, Scopes: []string{}}
	rolesJSON, _ := authz[ContextRoles].(string)
	// Through pointers: a null element of a []string decodes as "".
	var roles []*string
	if err := json.Unmarshal([]byte(rolesJSON), &roles); err != nil || roles == nil || slices.Contains(roles, nil) {
		return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "authorizer context roles are not a JSON list of strings", Subject: sub}
	}
	for _, r := range roles {
		p.Roles = append(p.Roles, *r)
	}
	// REST APIs pass every context value as a string; an HTTP API's
	// JSON number decodes as float64. Our authorizer always sends exp: a
	// context without one did not come from it.
	var exp float64
	switch v := authz[ContextExpires].(type) {
	case float64:
		exp = v
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "authorizer context exp is not a Unix time", Subject: sub}
		}
		exp = float64(n)
	default:
		return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "authorizer context has no exp", Subject: sub}
	}
	if !jws.InNumericDateRange(exp) {
		// Out of range, time.Unix would wrap a far-future exp into the past.
		return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "authorizer context exp out of range", Subject: sub}
	}
	p.ExpiresAt = time.Unix(int64(exp), 0)
	return p, nil
}
