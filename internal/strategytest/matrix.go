package strategytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/strategies/guard"
	"github.com/fnguard/fnguard/strategies/provider"
)

// The flagship's refusals, written out rather than taken from
// auth.Describe: the matrix must fail if the two ever drift apart.
const (
	NoTokenBody         = `{"error":"unauthorized","message":"Sign in and send the access token in an 'Authorization: Bearer' header."}` + "\n"
	NoTokenChallenge    = `Bearer realm="fnguard"`
	InvalidBody         = `{"error":"invalid_token","message":"The access token is invalid."}` + "\n"
	InvalidChallenge    = `Bearer realm="fnguard", error="invalid_token", error_description="The access token is invalid"`
	ForbiddenBody       = `{"error":"insufficient_scope","message":"Your token is valid but does not grant access to this resource."}` + "\n"
	ForbiddenChallenge  = `Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"`
	paidMessage         = "Thanks for being a paying customer."
	adminMessage        = "Welcome, admin."
	endpointMe          = "me"
	endpointPaid        = "paid"
	endpointAdmin       = "admin"
	statusOK            = http.StatusOK
	statusUnauthorized  = http.StatusUnauthorized
	statusForbidden     = http.StatusForbidden
	defaultTokenMaxSkew = 2 * time.Minute
)

// Case is one cell of the matrix.
type Case struct {
	Persona, Endpoint string
	Status            int
}

// Matrix is what each persona gets from each endpoint.
var Matrix = []Case{
	{"anonymous", endpointMe, statusUnauthorized}, {"anonymous", endpointPaid, statusUnauthorized}, {"anonymous", endpointAdmin, statusUnauthorized},
	{"invalid", endpointMe, statusUnauthorized}, {"invalid", endpointPaid, statusUnauthorized}, {"invalid", endpointAdmin, statusUnauthorized},
	{"free", endpointMe, statusOK}, {"free", endpointPaid, statusForbidden}, {"free", endpointAdmin, statusForbidden},
	{"paid", endpointMe, statusOK}, {"paid", endpointPaid, statusOK}, {"paid", endpointAdmin, statusForbidden},
	{"admin", endpointMe, statusOK}, {"admin", endpointPaid, statusOK}, {"admin", endpointAdmin, statusOK},
}

// Name reads as a sentence: "auth0 free user calling paid is 403".
func (c Case) Name(providerName string) string {
	return fmt.Sprintf("%s %s user calling %s is %d", providerName, c.Persona, c.Endpoint, c.Status)
}

// Options adjust the expectations for a strategy.
type Options struct {
	// InvalidIsNoToken: behind API Gateway an invalid token gets the same
	// answer as a missing one (an authorizer can only say "Unauthorized").
	InvalidIsNoToken bool
}

// Run invokes the function newHandler builds for each provider with every
// case of the matrix, as Netlify would, and checks each response.
func Run(t *testing.T, strategy string, newHandler func(*Provider) guard.Handler, o Options) {
	providers := Providers(t)
	for i, p := range providers {
		// Algorithm confusion across providers: an Auth0 RS256 admin token
		// sent to a function that expects HS256 Identity tokens, and the
		// reverse, are invalid, never admitted.
		other := providers[1-i]
		t.Run(p.Name+" function given an admin token of "+other.Name+" is 401", func(t *testing.T) {
			c := Case{Persona: "invalid", Endpoint: endpointAdmin, Status: statusUnauthorized}
			resp, err := newHandler(p)(Context(""), Event(t, strategy, endpointAdmin, other.Token("admin")))
			if err != nil {
				t.Fatal(err)
			}
			Check(t, strategy, p.Name, c, resp, o)
		})
	}
	for _, p := range providers {
		h := newHandler(p)
		for _, c := range Matrix {
			t.Run(c.Name(p.Name), func(t *testing.T) {
				ev := Event(t, strategy, c.Endpoint, p.Token(c.Persona))
				resp, err := h(Context(p.ClientContext(c.Persona)), ev)
				if err != nil {
					t.Fatalf("function error: %v", err)
				}
				Check(t, strategy, p.Name, c, resp, o)
			})
		}
	}
}

// Check asserts the status, headers and exact body of resp for c.
func Check(t testing.TB, strategy, providerName string, c Case, resp events.APIGatewayProxyResponse, o Options) {
	t.Helper()
	if resp.StatusCode != c.Status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, c.Status, resp.Body)
	}
	if ct := resp.Headers["Content-Type"]; ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := resp.Headers["Cache-Control"]; cc != "no-store" && cc != "private, no-store" {
		t.Errorf("Cache-Control = %q: per-user answers must not be cached", cc)
	}
	wantBody, wantChallenge := "", ""
	switch {
	case c.Status == statusUnauthorized && (c.Persona == "anonymous" || o.InvalidIsNoToken):
		wantBody, wantChallenge = NoTokenBody, NoTokenChallenge
	case c.Status == statusUnauthorized:
		wantBody, wantChallenge = InvalidBody, InvalidChallenge
	case c.Status == statusForbidden:
		wantBody, wantChallenge = ForbiddenBody, ForbiddenChallenge
	}
	if got := resp.Headers["WWW-Authenticate"]; got != wantChallenge {
		t.Errorf("WWW-Authenticate = %q, want %q", got, wantChallenge)
	}
	if c.Status != statusOK {
		if resp.Body != wantBody {
			t.Fatalf("body = %q, want %q", resp.Body, wantBody)
		}
		return
	}
	persona, _ := devissuer.LookupPersona(c.Persona)
	switch c.Endpoint {
	case endpointPaid, endpointAdmin:
		msg := paidMessage
		if c.Endpoint == endpointAdmin {
			msg = adminMessage
		}
		want := fmt.Sprintf(`{"strategy":%q,"message":%q,"sub":%q}`+"\n", strategy, msg, persona.Subject)
		if resp.Body != want {
			t.Fatalf("body = %q, want %q", resp.Body, want)
		}
	case endpointMe:
		var got struct {
			Strategy    string    `json:"strategy"`
			Subject     string    `json:"sub"`
			Roles       []string  `json:"roles"`
			Permissions []string  `json:"permissions"`
			Scopes      []string  `json:"scopes"`
			ExpiresAt   time.Time `json:"expires_at"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
			t.Fatalf("body %q: %v", resp.Body, err)
		}
		wantPerms := persona.Permissions
		if providerName == provider.Netlify || strategy == "authorized" {
			// Identity tokens have no permissions, and the authorizer
			// passes only the subject and roles.
			wantPerms = []string{}
		}
		if got.Strategy != strategy || got.Subject != persona.Subject || !slices.Equal(got.Roles, persona.Roles) || !slices.Equal(got.Permissions, wantPerms) || got.Scopes == nil {
			t.Fatalf("body = %s, want strategy %s, sub %s, roles %v, permissions %v", resp.Body, strategy, persona.Subject, persona.Roles, wantPerms)
		}
		if d := time.Until(got.ExpiresAt); d < time.Hour-defaultTokenMaxSkew || d > time.Hour+defaultTokenMaxSkew {
			t.Fatalf("expires_at = %v, want about an hour from now", got.ExpiresAt)
		}
	}
}
