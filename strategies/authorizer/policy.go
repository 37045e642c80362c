package authorizer

import (
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/endpoints"
)

// Route is an API Gateway route behind the authorizer, with who may call it.
type Route struct {
	Method string      // GET
	Path   string      // the resource path, as in the methodArn: /authorized/admin
	Policy auth.Policy // who may call it
}

// Key is the route as HTTP APIs name it: "GET /authorized/admin".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Name is the protected function's name, and the first segment of its
// routes.
const Name = "authorized"

// Routes are the protected function's routes: the one place that says who
// may call what, read by the authorizer (to build policies) and by the
// function (to check the verdict it is given).
func Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/" + Name + "/me", Policy: endpoints.SignedIn},
		{Method: "GET", Path: "/" + Name + "/paid", Policy: endpoints.Paid},
		{Method: "GET", Path: "/" + Name + "/admin", Policy: endpoints.Admin},
	}
}

// MethodARN is a parsed API Gateway method ARN:
// arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH.
type MethodARN struct {
	Partition, Region, Account, API, Stage, Method, Path string
}

var errMethodARN = errors.New("malformed methodArn")

// ParseMethodARN parses the methodArn of an authorizer event.
func ParseMethodARN(s string) (MethodARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return MethodARN{}, errMethodARN
	}
	a := MethodARN{Partition: parts[1], Region: parts[3], Account: parts[4]}
	rest := strings.SplitN(parts[5], "/", 4)
	if len(rest) < 3 {
		return MethodARN{}, errMethodARN
	}
	a.API, a.Stage, a.Method = rest[0], rest[1], rest[2]
	if len(rest) == 4 {
		a.Path = "/" + rest[3]
	} else {
		a.Path = "/"
	}
	for _, v := range []string{a.Partition, a.Region, a.Account, a.API, a.Stage, a.Method} {
		// Wildcards here would widen the policy beyond this API and stage.
		if v == "" || strings.ContainsAny(v, "*?/") {
			return MethodARN{}, errMethodARN
		}
	}
	return a, nil
}

// Resource is the ARN of route method and path in a's API and stage.
func (a MethodARN) Resource(method, path string) string {
	return "arn:" + a.Partition + ":execute-api:" + a.Region + ":" + a.Account + ":" + a.API + "/" + a.Stage + "/" + method + path
}

// String is the ARN of a's own method and path.
func (a MethodARN) String() string { return a.Resource(a.Method, a.Path) }

const invokeAction = "execute-api:Invoke"

// PolicyFor is the policy for caller p in the API and stage of arn: Allow
// on every route p may call, an explicit Deny on every other route. It does
// not depend on which route was asked for, so a cached copy answers every
// later request of the same token correctly.
func PolicyFor(p *auth.Principal, arn MethodARN, routes []Route) events.APIGatewayCustomAuthorizerPolicy {
	var allow, deny []string
	for _, r := range routes {
		res := arn.Resource(r.Method, r.Path)
		if r.Policy.Allows(p) {
			allow = append(allow, res)
		} else {
			deny = append(deny, res)
		}
	}
	doc := events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17"}
	if len(allow) > 0 {
		doc.Statement = append(doc.Statement, events.IAMPolicyStatement{Action: []string{invokeAction}, Effect: "Allow", Resource: allow})
	}
	if len(deny) > 0 {
		doc.Statement = append(doc.Statement, events.IAMPolicyStatement{Action: []string{invokeAction}, Effect: "Deny", Resource: deny})
	}
	if len(doc.Statement) == 0 {
		doc.Statement = []events.IAMPolicyStatement{{Action: []string{invokeAction}, Effect: "Deny", Resource: []string{arn.String()}}}
	}
	return doc
}

// Allows evaluates doc for resource as API Gateway does for the exact ARNs
// PolicyFor writes (no wildcards): an explicit Deny wins, then an Allow;
// anything unlisted is denied.
func Allows(doc events.APIGatewayCustomAuthorizerPolicy, resource string) bool {
	allowed := false
	for _, s := range doc.Statement {
		if !slices.Contains(s.Action, invokeAction) || !slices.Contains(s.Resource, resource) {
			continue
		}
		switch s.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}
