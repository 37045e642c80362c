package auth_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/auth"
)

// FuzzPolicy builds arbitrary policy trees from program and evaluates them
// for arbitrary principals. Evaluation never panics, agrees with a
// reference evaluator written independently here, and obeys the algebra
// routes rely on: AllOf is "and", AnyOf is "or", both commute, absorb and
// distribute, empty lists allow nobody, and Check agrees with Allows.
func FuzzPolicy(f *testing.F) {
	f.Add("admin", "read:admin", "openid profile", false, []byte{0, 0})
	f.Add("paid", "", "", false, []byte{6, 3, 0, 1, 2, 4, 2, 0, 0, 5, 2, 1, 1, 2, 2})
	f.Add("", "", "", true, []byte{4, 0})
	f.Add("Admin,admin ,paid", "read:premium", "", false, []byte{5, 3, 0, 3, 0, 4, 6, 2, 5, 6})
	f.Add(",,", ",", " ", false, []byte{4, 3, 5, 3, 4, 3, 5, 3, 4, 3, 3})
	f.Fuzz(func(t *testing.T, roles, perms, scopes string, anonymous bool, program []byte) {
		var p *auth.Principal
		if !anonymous {
			p = &auth.Principal{
				Subject:     "fuzz|user",
				Roles:       strings.Split(roles, ","),
				Permissions: strings.Split(perms, ","),
				Scopes:      strings.Fields(scopes),
			}
		}
		names := append([]string{"admin", "paid", "", "ADMIN"}, strings.Split(roles+","+perms+","+scopes, ",")...)
		d := &decoder{program: program, names: names}
		a, b, c := d.node(0), d.node(0), d.node(0)
		pa, pb, pc := a.policy(), b.policy(), c.policy()

		for _, n := range []*node{a, b, c} {
			if got, want := n.policy().Allows(p), n.allows(p); got != want {
				t.Fatalf("%s allows %+v: %v, reference says %v", n.policy(), p, got, want)
			}
			if s1, s2 := n.policy().String(), n.policy().String(); s1 != s2 {
				t.Fatalf("String is not stable: %q, %q", s1, s2)
			}
		}
		A, B, C := pa.Allows(p), pb.Allows(p), pc.Allows(p)
		laws := []struct {
			name string
			got  bool
			want bool
		}{
			{"AllOf(a,b) is a and b", auth.AllOf(pa, pb).Allows(p), A && B},
			{"AnyOf(a,b) is a or b", auth.AnyOf(pa, pb).Allows(p), A || B},
			{"AllOf commutes", auth.AllOf(pa, pb).Allows(p), auth.AllOf(pb, pa).Allows(p)},
			{"AnyOf commutes", auth.AnyOf(pa, pb).Allows(p), auth.AnyOf(pb, pa).Allows(p)},
			{"AllOf associates", auth.AllOf(pa, auth.AllOf(pb, pc)).Allows(p), auth.AllOf(auth.AllOf(pa, pb), pc).Allows(p)},
			{"AnyOf associates", auth.AnyOf(pa, auth.AnyOf(pb, pc)).Allows(p), auth.AnyOf(auth.AnyOf(pa, pb), pc).Allows(p)},
			{"AllOf of one is that one", auth.AllOf(pa).Allows(p), A},
			{"AnyOf of one is that one", auth.AnyOf(pa).Allows(p), A},
			{"AllOf is idempotent", auth.AllOf(pa, pa).Allows(p), A},
			{"AllOf absorbs AnyOf", auth.AllOf(pa, auth.AnyOf(pa, pb)).Allows(p), A},
			{"AnyOf absorbs AllOf", auth.AnyOf(pa, auth.AllOf(pa, pb)).Allows(p), A},
			{"AllOf distributes over AnyOf", auth.AllOf(pa, auth.AnyOf(pb, pc)).Allows(p),
				auth.AnyOf(auth.AllOf(pa, pb), auth.AllOf(pa, pc)).Allows(p)},
			{"AnyOf distributes over AllOf", auth.AnyOf(pa, auth.AllOf(pb, pc)).Allows(p),
				auth.AllOf(auth.AnyOf(pa, pb), auth.AnyOf(pa, pc)).Allows(p)},
			{"Authenticated is AllOf's identity", auth.AllOf(pa, auth.Authenticated()).Allows(p), A},
			{"empty AllOf allows nobody", auth.AllOf().Allows(p), false},
			{"empty AnyOf allows nobody", auth.AnyOf().Allows(p), false},
			{"empty AnyRole allows nobody", auth.AnyRole().Allows(p), false},
			{"AnyRole is AnyOf of Roles", auth.AnyRole(names[:3]...).Allows(p),
				auth.AnyOf(auth.Role(names[0]), auth.Role(names[1]), auth.Role(names[2])).Allows(p)},
			{"nobody anonymous is allowed", p == nil && (A || B || C), false},
		}
		for _, law := range laws {
			if law.got != law.want {
				t.Errorf("%s fails for a=%s b=%s c=%s and %+v", law.name, pa, pb, pc, p)
			}
		}

		err := auth.Check(p, pa)
		switch {
		case p == nil:
			if !errors.Is(err, auth.ErrNoToken) || auth.Describe(err).Status != http.StatusUnauthorized {
				t.Errorf("Check(nil, %s) = %v, want ErrNoToken (401)", pa, err)
			}
		case A:
			if err != nil {
				t.Errorf("Check allows nothing Allows allows: %v", err)
			}
		default:
			if !errors.Is(err, auth.ErrForbidden) || auth.Describe(err).Status != http.StatusForbidden {
				t.Errorf("Check(%s) = %v, want ErrForbidden (403)", pa, err)
			}
		}
		if p != nil && !errors.Is(auth.Check(p, nil), auth.ErrForbidden) {
			t.Errorf("a nil policy must deny")
		}
	})
}

// node is a policy as a tree the test can evaluate on its own.
type node struct {
	op    byte // opRole ... opAnyRole
	name  string
	names []string
	kids  []*node
}

const (
	opRole byte = iota
	opPermission
	opScope
	opAuthenticated
	opAllOf
	opAnyOf
	opAnyRole
	opCount
)

// maxDepth keeps trees small enough that evaluation stays fast.
const maxDepth = 6

// decoder reads a tree from bytes: an op, then a name index or a child
// count, then the children. Running out of bytes yields Authenticated.
type decoder struct {
	program []byte
	names   []string
}

func (d *decoder) byte() (byte, bool) {
	if len(d.program) == 0 {
		return 0, false
	}
	b := d.program[0]
	d.program = d.program[1:]
	return b, true
}

func (d *decoder) name() string {
	b, _ := d.byte()
	return d.names[int(b)%len(d.names)]
}

func (d *decoder) node(depth int) *node {
	b, ok := d.byte()
	if !ok {
		return &node{op: opAuthenticated}
	}
	n := &node{op: b % opCount}
	if depth >= maxDepth && (n.op == opAllOf || n.op == opAnyOf) {
		n.op = opRole
	}
	switch n.op {
	case opRole, opPermission, opScope:
		n.name = d.name()
	case opAllOf, opAnyOf:
		count, _ := d.byte()
		for range count % 4 {
			n.kids = append(n.kids, d.node(depth+1))
		}
	case opAnyRole:
		count, _ := d.byte()
		for range count % 4 {
			n.names = append(n.names, d.name())
		}
	}
	return n
}

func (n *node) policy() auth.Policy {
	switch n.op {
	case opRole:
		return auth.Role(n.name)
	case opPermission:
		return auth.Permission(n.name)
	case opScope:
		return auth.Scope(n.name)
	case opAllOf, opAnyOf:
		ps := make([]auth.Policy, len(n.kids))
		for i, k := range n.kids {
			ps[i] = k.policy()
		}
		if n.op == opAllOf {
			return auth.AllOf(ps...)
		}
		return auth.AnyOf(ps...)
	case opAnyRole:
		return auth.AnyRole(n.names...)
	default:
		return auth.Authenticated()
	}
}

// allows is the reference: what each policy promises in its doc comment.
func (n *node) allows(p *auth.Principal) bool {
	if p == nil {
		return false
	}
	switch n.op {
	case opRole:
		return slices.Contains(p.Roles, n.name)
	case opPermission:
		return slices.Contains(p.Permissions, n.name)
	case opScope:
		return slices.Contains(p.Scopes, n.name)
	case opAllOf:
		for _, k := range n.kids {
			if !k.allows(p) {
				return false
			}
		}
		return len(n.kids) > 0
	case opAnyOf:
		return slices.ContainsFunc(n.kids, func(k *node) bool { return k.allows(p) })
	case opAnyRole:
		return slices.ContainsFunc(n.names, func(r string) bool { return slices.Contains(p.Roles, r) })
	default:
		return true
	}
}
