package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/eventheader"
)

// ErrUnauthorized fails an authorizer invocation so that API Gateway
// answers 401: it looks for exactly this message.
var ErrUnauthorized = errors.New("Unauthorized")

// errUnavailable fails an invocation when no decision could be made (the
// issuer's keys never loaded). API Gateway answers AUTHORIZER_FAILURE or
// AUTHORIZER_CONFIGURATION_ERROR, which template.yaml both maps to the
// flagship's 503.
var errUnavailable = errors.New("authorization temporarily unavailable")

// Authorizer decides API Gateway requests with an auth.Authenticator.
type Authorizer struct {
	authn  auth.Authenticator
	routes []Route
	log    *slog.Logger
}

// New returns an Authorizer for routes.
func New(a auth.Authenticator, routes []Route, log *slog.Logger) *Authorizer {
	return &Authorizer{authn: a, routes: routes, log: log}
}

// Token answers a REST API TOKEN authorizer: authorizationToken is the
// whole Authorization header value.
func (z *Authorizer) Token(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return z.rest(ctx, http.Header{"Authorization": {ev.AuthorizationToken}}, ev.MethodArn)
}

// Request answers a REST API REQUEST authorizer, which sees every header.
func (z *Authorizer) Request(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return z.rest(ctx, eventheader.Header(ev.MultiValueHeaders, ev.Headers), ev.MethodArn)
}

func (z *Authorizer) rest(ctx context.Context, h http.Header, methodArn string) (events.APIGatewayCustomAuthorizerResponse, error) {
	arn, err := ParseMethodARN(methodArn)
	if err != nil {
		z.log.ErrorContext(ctx, "authorizer: malformed methodArn")
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	p, err := z.authenticate(ctx, h)
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	doc := PolicyFor(p, arn, z.routes)
	z.log.InfoContext(ctx, "authorizer decision", "sub", p.Subject, "route", arn.Method+" "+arn.Path, "allowed", Allows(doc, arn.String()))
	return events.APIGatewayCustomAuthorizerResponse{PrincipalID: p.Subject, PolicyDocument: doc, Context: contextOf(p)}, nil
}

// HTTP answers an HTTP API authorizer (payload 2.0, simple responses). The
// answer holds for the event's route only: see the package comment on
// caching.
func (z *Authorizer) HTTP(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	// ev.Cookies are not read: they are not the identity source.
	p, err := z.authenticate(ctx, eventheader.Header(nil, ev.Headers))
	if err != nil {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, err
	}
	allowed := false
	for _, r := range z.routes {
		if r.Key() == ev.RouteKey {
			allowed = r.Policy.Allows(p)
			break
		}
	}
	z.log.InfoContext(ctx, "authorizer decision", "sub", p.Subject, "route", ev.RouteKey, "allowed", allowed)
	if !allowed {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: contextOf(p)}, nil
}

// authenticate decides on the identity source alone and maps the outcome
// to what API Gateway understands: the caller, ErrUnauthorized (401), or
// errUnavailable (a 503 through template.yaml's gateway responses).
//
// API Gateway caches a decision under the identity source, the
// Authorization header. A decision that also read another header (the
// Netlify provider falls back to the nf_jwt cookie) would be handed, for
// the whole TTL, to every caller who sends the same Authorization header:
// a shared Basic site password plus one admin's cookie would make everyone
// with that password admin. So the authenticator sees that header only,
// and only when it holds a Bearer token.
func (z *Authorizer) authenticate(ctx context.Context, h http.Header) (*auth.Principal, error) {
	identity := http.Header{"Authorization": h.Values("Authorization")}
	_, err := auth.BearerToken(identity)
	var p *auth.Principal
	if err == nil {
		p, err = z.authn.Authenticate(ctx, auth.Request{Header: identity})
	}
	if err == nil {
		return p, nil
	}
	d := auth.Describe(err)
	z.log.WarnContext(ctx, "authorizer: access denied", "status", d.Status, "error", d.Code, "reason", err.Error())
	if errors.Is(err, auth.ErrUnavailable) {
		return nil, errUnavailable
	}
	return nil, ErrUnauthorized
}

// Context keys the authorizer passes to the function. REST APIs allow only
// strings, numbers and booleans as values, so roles travel as a JSON array
// in a string: unambiguous whatever a role name contains.
const (
	ContextSubject = "sub"
	ContextRoles   = "roles"
)

func contextOf(p *auth.Principal) map[string]any {
	roles, _ := json.Marshal(p.Roles)
	return map[string]any{ContextSubject: p.Subject, ContextRoles: string(roles), ContextExpires: p.ExpiresAt.Unix()}
}

// Handler is the authorizer's Lambda entry point (a lambda.Handler): it
// tells the three event types apart and answers each in its own format.
type Handler struct{ z *Authorizer }

// NewHandler returns the entry point for z.
func NewHandler(z *Authorizer) Handler { return Handler{z} }

// Invoke implements lambda.Handler.
func (h Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var probe struct {
		Version string `json:"version"`
		Type    string `json:"type"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		h.z.log.ErrorContext(ctx, "authorizer: event is not a JSON object")
		return nil, ErrUnauthorized
	}
	var out any
	var err error
	switch {
	case probe.Version == "2.0":
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err = json.Unmarshal(payload, &ev); err == nil {
			out, err = h.z.HTTP(ctx, ev)
		}
	case probe.Type == "TOKEN":
		var ev events.APIGatewayCustomAuthorizerRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			out, err = h.z.Token(ctx, ev)
		}
	case probe.Type == "REQUEST":
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			out, err = h.z.Request(ctx, ev)
		}
	default:
		err = fmt.Errorf("unknown authorizer event type %.20q", probe.Type)
	}
	if err != nil {
		if !errors.Is(err, ErrUnauthorized) && !errors.Is(err, errUnavailable) {
			h.z.log.ErrorContext(ctx, "authorizer: bad event", "err", err)
			err = ErrUnauthorized
		}
		return nil, err
	}
	return json.Marshal(out)
}
