package functions

import (
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/flagship"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/strategies/authorizer"
	"github.com/fnguard/fnguard/strategies/decorator"
	"github.com/fnguard/fnguard/strategies/endpoints"
	"github.com/fnguard/fnguard/strategies/guard"
	"github.com/fnguard/fnguard/strategies/inline"
	"github.com/fnguard/fnguard/strategies/middleware"
	"github.com/fnguard/fnguard/strategies/proxyrole"
	"github.com/fnguard/fnguard/strategies/singleuse"
)

// All is every function, in the guide's order (the page's order). Each
// entry is a function of its own, called only where it is used, so that a
// function's main links its own strategy and not the others (a variable
// would be built at start, everyone's handler with it).
func All() []Function {
	return []Function{API(), Inline(), Middleware(), Decorator(), Authorized(), AdminOnly(), PaidOnly(), Reports()}
}

// API is the flagship: a chi router behind the /api rewrite, built from
// its own configuration by package flagship rather than from Deps. Its
// main starts it (Start, flagship.Run), as the root command does in
// Lambda; the local server makes flagship.Router its site's router.
func API() Function {
	return Function{
		Name:  "api",
		Start: flagship.Run,
		Title: "Router middleware (chi): the flagship",
		Routes: []Route{
			{Method: http.MethodGet, Path: "/health", Credential: None},
			{Method: http.MethodGet, Path: "/public", Credential: None},
			{Method: http.MethodGet, Path: "/me", Policy: auth.Authenticated(), Credential: Bearer},
			{Method: http.MethodGet, Path: "/paid", Policy: auth.AnyRole("paid", "admin"), Credential: Bearer},
			{Method: http.MethodGet, Path: "/admin", Policy: auth.Role("admin"), Credential: Bearer},
		},
	}
}

// strategyRoutes are the endpoints every function strategy protects (see
// package strategies/endpoints).
func strategyRoutes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/me", Policy: endpoints.SignedIn, Credential: Bearer},
		{Method: http.MethodGet, Path: "/paid", Policy: endpoints.Paid, Credential: Bearer},
		{Method: http.MethodGet, Path: "/admin", Policy: endpoints.Admin, Credential: Bearer},
	}
}

// Inline is the inline strategy.
func Inline() Function {
	return Function{Name: inline.Name, Title: "Inline: the handler checks first", Routes: strategyRoutes(), Needs: Caller,
		New: func(d Deps) (lambda.Handler, error) { return events(inline.New(d.Caller, d.Log), d.Log), nil }}
}

// Middleware is the middleware strategy.
func Middleware() Function {
	return Function{Name: middleware.Name, Title: "Middleware: a chain wraps the handler", Routes: strategyRoutes(), Needs: Caller,
		New: func(d Deps) (lambda.Handler, error) { return events(middleware.New(d.Caller, d.Log), d.Log), nil }}
}

// Decorator is the decorator strategy.
func Decorator() Function {
	return Function{Name: decorator.Name, Title: "Decorator: one wrapper at the definition", Routes: strategyRoutes(), Needs: Caller,
		New: func(d Deps) (lambda.Handler, error) { return events(decorator.New(d.Caller, d.Log), d.Log), nil }}
}

// Authorized is the function behind the custom authorizer, served behind a
// stand-in for API Gateway that runs the authorizer first (AWS only:
// template.yaml deploys the two as strategies/authorizer/cmd).
func Authorized() Function {
	return Function{Name: authorizer.Name, Title: "Custom authorizer: API Gateway asks first", Routes: strategyRoutes(), Needs: Caller,
		New: func(d Deps) (lambda.Handler, error) {
			routes := authorizer.Routes()
			gateway := &authorizer.Gateway{
				Authorize:  authorizer.New(d.Caller, routes, d.Log).Request,
				Function:   authorizer.Protected(routes, d.Log),
				Routes:     routes,
				TTL:        authorizer.CacheTTL,
				PathPrefix: Path,
				Log:        d.Log,
			}
			return events(gateway.Handle, d.Log), nil
		}}
}

// AdminOnly and PaidOnly are the functions of the proxy-level strategy,
// behind netlify.toml's role rules (a test holds the rules and the routes'
// policies together).
func AdminOnly() Function { return roleRule(proxyrole.AdminOnly) }

// PaidOnly: see AdminOnly.
func PaidOnly() Function { return roleRule(proxyrole.PaidOnly) }

func roleRule(f proxyrole.Function) Function {
	return Function{
		Name:     f.Name,
		Title:    "Proxy level: Netlify checks the nf_jwt cookie first",
		Routes:   []Route{{Method: http.MethodGet, Path: "/", Policy: f.Policy, Credential: Cookie}},
		RulePath: "/" + f.Name,
		Needs:    Identity,
		New:      func(d Deps) (lambda.Handler, error) { return events(f.Handler(d.Identity, d.Log), d.Log), nil },
	}
}

// Reports is the target of single-use tokens.
func Reports() Function {
	return Function{
		Name:  singleuse.Name,
		Title: "Single-use tokens: one call, one action",
		Routes: []Route{
			{Method: http.MethodGet, Path: "", Policy: grant(onetime.ActionRead), Credential: SingleUse, Action: onetime.ActionRead},
			{Method: http.MethodPost, Path: "/export", Policy: grant(onetime.ActionExport), Credential: SingleUse, Action: onetime.ActionExport},
		},
		Needs: Redeemer,
		New: func(d Deps) (lambda.Handler, error) {
			return lambdahttp.New(singleuse.New(d.Redeemer, d.Log), d.Log), nil
		},
	}
}

// grant is who may ask for a reports token for action.
func grant(action string) auth.Policy {
	for _, g := range onetime.DefaultGrants {
		if g.Target == singleuse.Name && g.Action == action {
			return g.Policy
		}
	}
	return nil
}

// events is h as a lambda.Handler of API Gateway v1 events.
func events(h guard.Handler, log *slog.Logger) lambda.Handler { return guard.Lambda(h, log) }
