package auth

import (
	"fmt"
	"strings"
)

// A Policy decides whether a verified Principal may do something. Policies
// are values, so a route's requirement reads where the route is declared:
// auth.AnyRole("paid", "admin").
type Policy interface {
	Allows(p *Principal) bool
	String() string
}

type policyFunc struct {
	allows func(*Principal) bool
	name   string
}

func (f policyFunc) Allows(p *Principal) bool { return p != nil && f.allows(p) }
func (f policyFunc) String() string           { return f.name }

// Authenticated allows any verified caller.
func Authenticated() Policy {
	return policyFunc{func(*Principal) bool { return true }, "authenticated"}
}

// Role allows callers holding role.
func Role(role string) Policy {
	return policyFunc{func(p *Principal) bool { return p.HasRole(role) }, "role:" + role}
}

// AnyRole allows callers holding at least one of roles.
func AnyRole(roles ...string) Policy {
	ps := make([]Policy, len(roles))
	for i, r := range roles {
		ps[i] = Role(r)
	}
	return AnyOf(ps...)
}

// Permission allows callers granted permission through Auth0 RBAC.
func Permission(perm string) Policy {
	return policyFunc{func(p *Principal) bool { return p.HasPermission(perm) }, "permission:" + perm}
}

// Scope allows callers whose token carries scope.
func Scope(scope string) Policy {
	return policyFunc{func(p *Principal) bool { return p.HasScope(scope) }, "scope:" + scope}
}

// AllOf allows callers that satisfy every policy. AllOf() allows nobody:
// an empty requirement list is far more likely a bug than an intent.
func AllOf(policies ...Policy) Policy {
	return policyFunc{func(p *Principal) bool {
		for _, pol := range policies {
			if !pol.Allows(p) {
				return false
			}
		}
		return len(policies) > 0
	}, join("all", policies)}
}

// AnyOf allows callers that satisfy at least one policy.
func AnyOf(policies ...Policy) Policy {
	return policyFunc{func(p *Principal) bool {
		for _, pol := range policies {
			if pol.Allows(p) {
				return true
			}
		}
		return false
	}, join("any", policies)}
}

func join(op string, policies []Policy) string {
	names := make([]string, len(policies))
	for i, p := range policies {
		names[i] = p.String()
	}
	return fmt.Sprintf("%s(%s)", op, strings.Join(names, ","))
}

// Check returns nil when p satisfies policy, ErrNoToken when there is no
// caller, and an *Error wrapping ErrForbidden otherwise.
func Check(p *Principal, policy Policy) error {
	if p == nil {
		return deny(ErrNoToken, "no verified caller")
	}
	if policy == nil || !policy.Allows(p) {
		return &Error{Err: ErrForbidden, Reason: "requires " + fmt.Sprint(policy), KeyID: p.KeyID, Subject: p.Subject}
	}
	return nil
}
