package webapp

import (
	"net/http"

	"github.com/fnguard/fnguard/onetime"
)

// Endpoint is one row of the page's table: an endpoint of a strategy, who
// may call it, and how the page sends the user's token to it.
type Endpoint struct {
	Strategy string `json:"strategy"`
	Method   string `json:"method"`
	// Path is absolute on the API's origin, e.g. /api/me.
	Path string `json:"path"`
	// Who says in words who may call it; the page shows it beside the
	// result, and the browser tests check the server agrees.
	Who        string     `json:"who"`
	Credential Credential `json:"credential"`
	// Grant is what to ask POST {base}/tokens for, with SingleUse.
	Grant *Grant `json:"grant,omitempty"`
}

// Grant is a single-use token request: one target function, one action.
type Grant struct {
	TokenPath string `json:"tokenPath"` // {base}/tokens on the API
	Target    string `json:"target"`
	Action    string `json:"action"`
}

// Credential is how the page presents the signed-in user to an endpoint.
type Credential string

const (
	// Bearer sends the access token in the Authorization header.
	Bearer Credential = "bearer"
	// Cookie relies on the nf_jwt cookie: Netlify's proxy-level rules read
	// the token from there only. Locally the page sets it at sign-in (see
	// Config.NetlifyTokenURL); on Netlify, Netlify Identity does.
	Cookie Credential = "cookie"
	// None sends nothing: the endpoint is public.
	None Credential = "none"
	// SingleUse trades the access token for a single-use token for the
	// endpoint's Grant, then sends that instead.
	SingleUse Credential = "single-use"
)

// Who may call an endpoint, in the words the page shows.
const (
	Anyone      = "anyone"
	SignedIn    = "any signed-in user"
	PaidOrAdmin = "paid or admin"
	AdminOnly   = "admin only"
)

type strategy struct {
	title string
	// prefix is where the strategy's endpoints live; "" is the flagship's
	// base path (/api).
	prefix string
	rows   []Endpoint // Path relative to prefix; Strategy left empty
	// servedBy is the prefix whose being served lists the strategy, when
	// it is not prefix: a role rule's path is served by the function the
	// rule rewrites to.
	servedBy string
}

// functionRows are the endpoints every function strategy protects (see
// strategies/endpoints).
var functionRows = []Endpoint{
	{Method: http.MethodGet, Path: "/me", Who: SignedIn, Credential: Bearer},
	{Method: http.MethodGet, Path: "/paid", Who: PaidOrAdmin, Credential: Bearer},
	{Method: http.MethodGet, Path: "/admin", Who: AdminOnly, Credential: Bearer},
}

// proxyLevel is the title of the rows behind netlify.toml's role rules, one
// strategy entry per rule (the page shows them in one table); a test holds
// their paths and "who" to the rules in the file.
const proxyLevel = "Proxy level: Netlify checks the nf_jwt cookie first"

// strategies is every strategy the page can show, in the guide's order. A
// strategy that lands adds one line here; its rows appear wherever its
// prefix is served.
var strategies = []strategy{
	{title: "Router middleware (chi): the flagship", rows: []Endpoint{
		{Method: http.MethodGet, Path: "/health", Who: Anyone, Credential: None},
		{Method: http.MethodGet, Path: "/public", Who: Anyone, Credential: None},
		{Method: http.MethodGet, Path: "/me", Who: SignedIn, Credential: Bearer},
		{Method: http.MethodGet, Path: "/paid", Who: PaidOrAdmin, Credential: Bearer},
		{Method: http.MethodGet, Path: "/admin", Who: AdminOnly, Credential: Bearer},
	}},
	{title: "Inline: the handler checks first", prefix: FunctionsPath + "/inline", rows: functionRows},
	{title: "Middleware: a chain wraps the handler", prefix: FunctionsPath + "/middleware", rows: functionRows},
	{title: "Decorator: one wrapper at the definition", prefix: FunctionsPath + "/decorator", rows: functionRows},
	{title: "Custom authorizer: API Gateway asks first", prefix: FunctionsPath + "/authorized", rows: functionRows},
	{title: proxyLevel, prefix: "/admin-only", servedBy: FunctionsPath + "/admin-only", rows: []Endpoint{
		{Method: http.MethodGet, Path: "/", Who: AdminOnly, Credential: Cookie},
	}},
	{title: proxyLevel, prefix: "/paid-only", servedBy: FunctionsPath + "/paid-only", rows: []Endpoint{
		{Method: http.MethodGet, Path: "/", Who: PaidOrAdmin, Credential: Cookie},
	}},
	{title: "Single-use tokens: one call, one action", prefix: FunctionsPath + "/" + onetime.TargetReports, rows: []Endpoint{
		{Method: http.MethodGet, Path: "", Who: PaidOrAdmin, Credential: SingleUse, Grant: &Grant{Target: onetime.TargetReports, Action: onetime.ActionRead}},
		{Method: http.MethodPost, Path: "/export", Who: AdminOnly, Credential: SingleUse, Grant: &Grant{Target: onetime.TargetReports, Action: onetime.ActionExport}},
	}},
}

// FunctionsPath is where Netlify serves functions, and the local server too.
const FunctionsPath = "/.netlify/functions"

// Endpoints lists the endpoints of the flagship, under apiBase, and of
// every strategy whose prefix served reports as served here.
func Endpoints(apiBase string, served func(prefix string) bool) []Endpoint {
	var out []Endpoint
	for _, s := range strategies {
		prefix, servedBy := s.prefix, s.servedBy
		if servedBy == "" {
			servedBy = prefix
		}
		if prefix == "" {
			prefix = apiBase
		} else if served == nil || !served(servedBy) {
			continue
		}
		for _, e := range s.rows {
			e.Strategy = s.title
			e.Path = prefix + e.Path
			if e.Grant != nil {
				g := *e.Grant
				g.TokenPath = apiBase + "/tokens"
				e.Grant = &g
			}
			out = append(out, e)
		}
	}
	return out
}
