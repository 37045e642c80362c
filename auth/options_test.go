package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
)

func TestWithRealmNamesTheServiceInEveryChallenge(t *testing.T) {
	tests := []struct {
		name string
		err  error
		opts []Option
		want string
	}{
		{"no token names the default realm", ErrNoToken, nil, `Bearer realm="fnguard"`},
		{"no token names the configured realm", ErrNoToken, []Option{WithRealm("orders")}, `Bearer realm="orders"`},
		{"an expired token names the configured realm", ErrTokenExpired, []Option{WithRealm("orders")},
			`Bearer realm="orders", error="invalid_token", error_description="The access token expired"`},
		{"a forbidden caller names the configured realm", ErrForbidden, []Option{WithRealm("orders")},
			`Bearer realm="orders", error="insufficient_scope", error_description="The access token does not grant access to this resource"`},
		{"an outage has no challenge whatever the realm", ErrUnavailable, []Option{WithRealm("orders")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Describe(tc.err, tc.opts...).Challenge; got != tc.want {
				t.Errorf("Describe challenge = %q, want %q", got, tc.want)
			}
			rec := httptest.NewRecorder()
			WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), tc.err, tc.opts...)
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.want {
				t.Errorf("WriteError WWW-Authenticate = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMiddlewareRealmAndHooks(t *testing.T) {
	ti := newTestIssuer(t)
	ks, _ := ti.keySet(t)
	v := ti.verifier(t, ks)
	var (
		mu   sync.Mutex
		seen []string
	)
	note := func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	opts := []Option{
		WithRealm("orders"),
		OnAuthenticated(func(r *http.Request, p *Principal) { note("ok " + p.Subject) }),
		OnDenied(func(r *http.Request, err error, d Denial) {
			var e *Error
			if errors.As(err, &e) {
				note(d.Code + " " + e.Subject)
			}
		}),
	}
	h := Authenticate(v, opts...)(Require(Role("admin"), opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	if r := get(t, srv, "/", "Bearer "+ti.mint(t, "admin")); r.status != http.StatusOK {
		t.Fatalf("admin: status %d", r.status)
	}
	checkDenial(t, get(t, srv, "/", "Bearer "+ti.mint(t, "free")), http.StatusForbidden,
		`Bearer realm="orders", error="insufficient_scope", error_description="The access token does not grant access to this resource"`, "insufficient_scope")
	checkDenial(t, get(t, srv, "/"), http.StatusUnauthorized, `Bearer realm="orders"`, "unauthorized")

	mu.Lock()
	defer mu.Unlock()
	want := []string{"ok dev|admin-user", "ok dev|free-user", "insufficient_scope dev|free-user", "unauthorized "}
	if len(seen) != len(want) {
		t.Fatalf("hooks saw %q, want %q", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("hook call %d = %q, want %q", i, seen[i], want[i])
		}
	}
}

// The Principal lives under a key of this package: a value another
// library put under its own key (go-jwt-middleware's CheckJWT stores its
// unverified-by-us claims under ContextKey{}) is not a verified caller.
func TestFromContextReadsOnlyItsOwnKey(t *testing.T) {
	forged := &Principal{Subject: "attacker", Roles: []string{"admin"}}
	ctx := context.WithValue(context.Background(), jwtmiddleware.ContextKey{}, forged)
	if p, ok := FromContext(ctx); ok {
		t.Fatalf("FromContext took %+v from go-jwt-middleware's key", p)
	}
	if err := Check(nil, Role("admin")); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Check(nil) = %v, want ErrNoToken", err)
	}
	p, ok := FromContext(NewContext(ctx, &Principal{Subject: "dev|admin-user"}))
	if !ok || p.Subject != "dev|admin-user" {
		t.Fatalf("FromContext(NewContext) = %+v, %v", p, ok)
	}
}
