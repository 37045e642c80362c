package onetime

import (
	"fmt"

	"github.com/fnguard/fnguard/auth"
)

// A Grant says who may ask for a token for one action of one target
// function. The target is the token's audience.
type Grant struct {
	Target string
	Action string
	Policy auth.Policy
}

// Target actions known to the guide's "reports" function.
const (
	TargetReports = "reports"
	ActionRead    = "read"
	ActionExport  = "export"
)

// DefaultGrants: paying customers (and admins) may read reports; only
// admins may export them.
var DefaultGrants = []Grant{
	{Target: TargetReports, Action: ActionRead, Policy: auth.AnyRole("paid", "admin")},
	{Target: TargetReports, Action: ActionExport, Policy: auth.Role("admin")},
}

type grantKey struct{ target, action string }

func indexGrants(grants []Grant) (map[grantKey]auth.Policy, error) {
	idx := make(map[grantKey]auth.Policy, len(grants))
	for _, g := range grants {
		if g.Target == "" || g.Action == "" || g.Policy == nil {
			return nil, fmt.Errorf("grant %q/%q: target, action and policy are required", g.Target, g.Action)
		}
		k := grantKey{g.Target, g.Action}
		if _, dup := idx[k]; dup {
			return nil, fmt.Errorf("grant %q/%q listed twice", g.Target, g.Action)
		}
		idx[k] = g.Policy
	}
	return idx, nil
}
