package web

import (
	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/functions"
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
	Who        string               `json:"who"`
	Credential functions.Credential `json:"credential"`
	// Grant is what to ask POST {base}/tokens for, with SingleUse.
	Grant *Grant `json:"grant,omitempty"`
}

// Grant is a single-use token request: one target function, one action.
type Grant struct {
	TokenPath string `json:"tokenPath"` // {base}/tokens on the API
	Target    string `json:"target"`
	Action    string `json:"action"`
}

// Who may call an endpoint, in the words the page shows.
const (
	Anyone      = "anyone"
	SignedIn    = "any signed-in user"
	PaidOrAdmin = "paid or admin"
	AdminOnly   = "admin only"
)

// Who says in words whom policy lets in, judged on the personas.
func Who(policy auth.Policy) string {
	if policy == nil {
		return Anyone
	}
	allows := func(roles ...string) bool { return policy.Allows(&auth.Principal{Subject: "persona", Roles: roles}) }
	switch {
	case allows():
		return SignedIn
	case allows("paid") && allows("admin"):
		return PaidOrAdmin
	case allows("admin") && !allows("paid"):
		return AdminOnly
	}
	return policy.String()
}

// Endpoints lists the endpoints of the flagship, under apiBase, and of
// every function (package functions) whose URL served reports as served
// here. A function behind a role rule is listed at the rule's path.
func Endpoints(apiBase string, served func(prefix string) bool) []Endpoint {
	var out []Endpoint
	for _, f := range functions.All() {
		prefix := apiBase
		if f.Name != functions.API().Name {
			if served == nil || !served(f.URL()) {
				continue
			}
			prefix = f.URL()
			if f.RulePath != "" {
				prefix = f.RulePath
			}
		}
		for _, r := range f.Routes {
			e := Endpoint{Strategy: f.Title, Method: r.Method, Path: prefix + r.Path, Who: Who(r.Policy), Credential: r.Credential}
			if r.Credential == functions.SingleUse {
				e.Grant = &Grant{TokenPath: apiBase + "/tokens", Target: f.Name, Action: r.Action}
			}
			out = append(out, e)
		}
	}
	return out
}
