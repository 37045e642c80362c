package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPolicies(t *testing.T) {
	free := &Principal{Subject: "free", Roles: []string{}, Permissions: []string{"read:profile"}, Scopes: []string{"openid"}}
	paid := &Principal{Subject: "paid", Roles: []string{"paid"}, Permissions: []string{"read:profile", "read:premium"}}
	admin := &Principal{Subject: "admin", Roles: []string{"admin"}, Permissions: []string{"read:admin"}, Scopes: []string{"openid", "write:all"}}
	// Role names are exact: a near miss in case or spacing grants nothing.
	lookalike := &Principal{Subject: "x", Roles: []string{"Admin", "admin ", "administrator"}}

	tests := []struct {
		name   string
		policy Policy
		str    string
		allow  []*Principal
		deny   []*Principal
	}{
		{"Authenticated allows any caller", Authenticated(), "authenticated",
			[]*Principal{free, paid, admin}, nil},
		{"Role allows only holders of that exact role", Role("admin"), "role:admin",
			[]*Principal{admin}, []*Principal{free, paid, lookalike}},
		{"AnyRole allows holders of any listed role", AnyRole("paid", "admin"), "any(role:paid,role:admin)",
			[]*Principal{paid, admin}, []*Principal{free, lookalike}},
		{"AnyRole with no roles allows nobody", AnyRole(), "any()",
			nil, []*Principal{free, paid, admin}},
		{"Permission allows holders of the permission", Permission("read:premium"), "permission:read:premium",
			[]*Principal{paid}, []*Principal{free, admin}},
		{"Scope allows tokens carrying the scope", Scope("write:all"), "scope:write:all",
			[]*Principal{admin}, []*Principal{free, paid}},
		{"a role is not a permission", Permission("admin"), "permission:admin",
			nil, []*Principal{admin}},
		{"AllOf requires every policy", AllOf(Role("admin"), Scope("openid")), "all(role:admin,scope:openid)",
			[]*Principal{admin}, []*Principal{free, paid}},
		{"empty AllOf allows nobody", AllOf(), "all()",
			nil, []*Principal{free, paid, admin}},
		{"AnyOf allows callers satisfying one policy", AnyOf(Permission("read:premium"), Role("admin")), "any(permission:read:premium,role:admin)",
			[]*Principal{paid, admin}, []*Principal{free}},
		{"empty AnyOf allows nobody", AnyOf(), "any()",
			nil, []*Principal{free, paid, admin}},
		{"nested policies compose", AnyOf(AllOf(Role("paid"), Permission("read:premium")), Role("admin")),
			"any(all(role:paid,permission:read:premium),role:admin)",
			[]*Principal{paid, admin}, []*Principal{free}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.String(); got != tc.str {
				t.Errorf("String() = %q, want %q", got, tc.str)
			}
			for _, p := range tc.allow {
				if !tc.policy.Allows(p) {
					t.Errorf("%s denies %s", tc.policy, p.Subject)
				}
				if err := Check(p, tc.policy); err != nil {
					t.Errorf("Check(%s, %s) = %v", p.Subject, tc.policy, err)
				}
			}
			for _, p := range tc.deny {
				if tc.policy.Allows(p) {
					t.Errorf("%s allows %s", tc.policy, p.Subject)
				}
				err := Check(p, tc.policy)
				if !errors.Is(err, ErrForbidden) {
					t.Fatalf("Check(%s, %s) = %v, want ErrForbidden", p.Subject, tc.policy, err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Subject != p.Subject || !strings.Contains(e.Reason, tc.str) {
					t.Errorf("denial %+v does not name the subject and the policy for the audit log", e)
				}
			}
			if tc.policy.Allows(nil) {
				t.Errorf("%s allows a nil principal", tc.policy)
			}
			if err := Check(nil, tc.policy); !errors.Is(err, ErrNoToken) {
				t.Errorf("Check(nil) = %v, want ErrNoToken", err)
			}
		})
	}
}

func TestCheckWithoutPolicyDenies(t *testing.T) {
	if err := Check(&Principal{Subject: "admin", Roles: []string{"admin"}}, nil); !errors.Is(err, ErrForbidden) {
		t.Fatalf("Check with a nil policy = %v, want ErrForbidden", err)
	}
}
