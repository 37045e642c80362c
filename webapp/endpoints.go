package webapp

import "net/http"

// Endpoint is one row of the page's table: an endpoint of a strategy, who
// may call it, and how the page sends the user's token to it.
type Endpoint struct {
	Strategy string `json:"strategy"`
	Method   string `json:"method"`
	// Path is absolute on the API's origin, e.g. /api/me.
	Path string `json:"path"`
	// Who says in words who may call it; the page shows it beside the
	// result so a reader can compare the two.
	Who        string     `json:"who"`
	Credential Credential `json:"credential"`
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
)

// Who may call an endpoint, in the words the page shows.
const (
	Anyone      = "anyone"
	SignedIn    = "any signed-in user"
	PaidOrAdmin = "paid or admin"
	AdminOnly   = "admin only"
)

// Endpoints lists every protected endpoint of every strategy, for the page
// to call; apiBase is the flagship's base path (/api). A strategy that
// lands adds its rows here, one line each.
func Endpoints(apiBase string) []Endpoint {
	const router = "Router middleware (chi): the flagship"
	return []Endpoint{
		{router, http.MethodGet, apiBase + "/health", Anyone, None},
		{router, http.MethodGet, apiBase + "/public", Anyone, None},
		{router, http.MethodGet, apiBase + "/me", SignedIn, Bearer},
		{router, http.MethodGet, apiBase + "/paid", PaidOrAdmin, Bearer},
		{router, http.MethodGet, apiBase + "/admin", AdminOnly, Bearer},
	}
}
