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
	// Cookie relies on the nf_jwt cookie the page sets at sign-in:
	// Netlify's proxy-level rules read the token from there only.
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
}

// functionRows are the endpoints every function strategy protects (see
// strategies/endpoints).
var functionRows = []Endpoint{
	{Method: http.MethodGet, Path: "/me", Who: SignedIn, Credential: Bearer},
	{Method: http.MethodGet, Path: "/paid", Who: PaidOrAdmin, Credential: Bearer},
	{Method: http.MethodGet, Path: "/admin", Who: AdminOnly, Credential: Bearer},
}

// strategies is every strategy the page can show, in the guide's order. A
// strategy that lands adds one line here; its rows appear wherever its
// prefix is served.
var strategies = []strategy{
	{"Router middleware (chi): the flagship", "", []Endpoint{
		{Method: http.MethodGet, Path: "/health", Who: Anyone, Credential: None},
		{Method: http.MethodGet, Path: "/public", Who: Anyone, Credential: None},
		{Method: http.MethodGet, Path: "/me", Who: SignedIn, Credential: Bearer},
		{Method: http.MethodGet, Path: "/paid", Who: PaidOrAdmin, Credential: Bearer},
		{Method: http.MethodGet, Path: "/admin", Who: AdminOnly, Credential: Bearer},
	}},
	{"Inline: the handler checks first", FunctionsPath + "/inline", functionRows},
	{"Middleware: a chain wraps the handler", FunctionsPath + "/middleware", functionRows},
	{"Decorator: one wrapper at the definition", FunctionsPath + "/decorator", functionRows},
	{"Custom authorizer: API Gateway asks first", FunctionsPath + "/authorized", functionRows},
	{"Single-use tokens: one call, one action", FunctionsPath + "/" + onetime.TargetReports, []Endpoint{
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
		prefix := s.prefix
		if prefix == "" {
			prefix = apiBase
		} else if served == nil || !served(prefix) {
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
