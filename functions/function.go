// Package functions is the one list of the guide's functions: each one's
// name, routes and who may call them, and the constructor that builds its
// handler from shared dependencies. The Netlify mains
// (netlify/functions/<name>/main.go), the local stand-in for Netlify
// (package netlifydev), the page's endpoint table (package web) and the
// tests all read it. Adding a function is one entry in functions.go plus its
// netlify/functions/<name>/main.go.
package functions

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/onetime"
)

// Path is where Netlify serves functions, and the local server too.
const Path = "/.netlify/functions"

// Function describes one function.
type Function struct {
	Name string
	// Title names the strategy on the page, above the function's endpoints.
	Title string
	// Routes are the function's endpoints, relative to its URL.
	Routes []Route
	// RulePath, when set, is the path of the netlify.toml role rule that
	// rewrites to the function: the page calls it there, through the rule.
	RulePath string
	// Needs says which dependency New reads; a function whose dependency
	// is not configured is not served. Nil for a function with no New.
	Needs *Needs
	// New builds the Lambda handler (Netlify invokes functions with API
	// Gateway v1 events).
	New func(Deps) (lambda.Handler, error)
	// Start, instead of New, serves a function that reads a configuration
	// of its own rather than Deps: the flagship (package flagship).
	Start func(ctx context.Context, getenv func(string) string, stderr io.Writer) error
}

// URL is where Netlify serves f: /.netlify/functions/<name>.
func (f Function) URL() string { return Path + "/" + f.Name }

// Needs is the dependency a function is built from, besides its logger,
// and how the function's main loads it from the environment (lambda.go).
// Each is a value of its own so that a function's main links only the
// loader it needs: the single-use loader brings a Redis client.
type Needs struct {
	name string
	load func(getenv func(string) string, stderr io.Writer) (Deps, error)
}

func (n *Needs) String() string { return n.name }

// The dependencies a function can need.
var (
	// Caller: Deps.Caller, the provider AUTH_PROVIDER names.
	Caller = &Needs{"caller", loadCaller}
	// Identity: Deps.Identity, Netlify Identity tokens checked with the
	// site's secret (the functions behind role rules).
	Identity = &Needs{"identity", loadIdentity}
	// Redeemer: Deps.Redeemer, single-use tokens.
	Redeemer = &Needs{"redeemer", loadRedeemer}
)

// Deps are what functions are built from. The local stand-in builds them
// once from the configuration; a function's main builds the one it needs
// from its environment (see Run).
type Deps struct {
	Log *slog.Logger
	// Caller authenticates callers with the provider AUTH_PROVIDER names:
	// Auth0 access tokens, or the Netlify client context's user.
	Caller auth.Authenticator
	// Identity authenticates Netlify Identity users (nf_jwt, re-verified
	// with NETLIFY_JWT_SECRET).
	Identity *auth.Netlify
	// Redeemer accepts each single-use token once.
	Redeemer *onetime.Redeemer
}

// Route is one endpoint of a function.
type Route struct {
	Method string
	// Path is relative to the function's URL (or RulePath): "/me".
	Path string
	// Policy is who may call it; nil is anyone.
	Policy     auth.Policy
	Credential Credential
	// Action is what to ask POST {base}/tokens for, with SingleUse: the
	// function's name is the token's target.
	Action string
	// ReadsBody says the handler reads the request body. The local
	// stand-in reads a body only for such a route's method, so anonymous
	// callers cannot make it buffer bodies nobody reads.
	ReadsBody bool
}

// Credential is how a client presents the signed-in user to an endpoint.
type Credential string

const (
	// Bearer sends the access token in the Authorization header.
	Bearer Credential = "bearer"
	// Cookie relies on the nf_jwt cookie: Netlify's proxy-level rules read
	// the token from there only.
	Cookie Credential = "cookie"
	// None sends nothing: the endpoint is public.
	None Credential = "none"
	// SingleUse trades the access token for a single-use token for the
	// endpoint's action, then sends that instead.
	SingleUse Credential = "single-use"
)
