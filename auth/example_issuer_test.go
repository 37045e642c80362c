package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
)

// Auth0: the issuer is your tenant's URL with its trailing slash, the
// audience your API's identifier. Roles come from the namespaced claim a
// post-login Action adds (auth.DefaultRolesClaim unless you set RolesClaim),
// permissions from Auth0 RBAC. The KeySet finds the JWKS through OIDC
// discovery and refreshes it when a token names a key it has not seen.
//
// The tenant here is a stand-in on loopback; in production the issuer is
// "https://TENANT.eu.auth0.com/" and the default HTTP client is fine.
func ExampleNewVerifier() {
	tenant, mint := startIssuer("/", auth.DefaultRolesClaim)
	defer tenant.Close()
	issuer := tenant.URL + "/"

	keys := auth.NewKeySet(issuer, auth.WithHTTPClient(tenant.Client()))
	v, err := auth.NewVerifier(auth.Config{
		Issuer:    issuer,
		Audiences: []string{"https://api.example.com"},
	}, keys)
	if err != nil {
		panic(err)
	}

	p, err := v.Verify(context.Background(), mint("paid"))
	fmt.Println(p.Subject, p.Roles, p.Permissions, err)
	// Output: dev|paid-user [paid] [read:profile read:premium] <nil>
}

// Any OpenID Connect issuer (Keycloak, Okta, Entra ID, Cognito...): give
// its issuer exactly as its tokens' "iss" spells it, and name the claim
// that holds roles in its access tokens. An issuer without discovery takes
// auth.WithJWKSURL instead.
func ExampleNewKeySet() {
	realm, mint := startIssuer("/realms/shop", "roles")
	defer realm.Close()
	issuer := realm.URL + "/realms/shop" // no trailing slash, as Keycloak spells it

	keys := auth.NewKeySet(issuer, auth.WithHTTPClient(realm.Client()))
	v, err := auth.NewVerifier(auth.Config{
		Issuer:     issuer,
		Audiences:  []string{"https://api.example.com"},
		RolesClaim: "roles",
		ClockSkew:  30 * time.Second,
	}, keys)
	if err != nil {
		panic(err)
	}

	p, err := v.Verify(context.Background(), mint("admin"))
	fmt.Println(p.Subject, p.Roles, err)
	fmt.Println(keys.Fetches(), "fetch of the JWKS")
	// Output:
	// dev|admin-user [admin] <nil>
	// 1 fetch of the JWKS
}

// Authenticate and Require on a plain http.ServeMux: Authenticate checks
// the bearer token and puts the caller in the context, Require holds it to
// the route's policy. Refusals are RFC 6750 answers with a JSON body.
func ExampleAuthenticate() {
	tenant, mint := startIssuer("/", auth.DefaultRolesClaim)
	defer tenant.Close()
	v := verifierFor(tenant)

	authn := auth.Authenticate(v, auth.WithRealm("orders"))
	mux := http.NewServeMux()
	mux.Handle("GET /me", authn(http.HandlerFunc(me)))
	mux.Handle("GET /admin", authn(auth.Require(auth.Role("admin"), auth.WithRealm("orders"))(http.HandlerFunc(me))))

	for _, c := range []struct{ path, persona string }{
		{"/me", ""}, {"/me", "free"}, {"/admin", "free"}, {"/admin", "admin"},
	} {
		fmt.Println(c.path, c.persona, call(mux, c.path, mint, c.persona))
	}
	// Output:
	// /me  401 Bearer realm="orders" {"error":"unauthorized","message":"Sign in and send the access token in an 'Authorization: Bearer' header."}
	// /me free 200  hello dev|free-user
	// /admin free 403 Bearer realm="orders", error="insufficient_scope", error_description="The access token does not grant access to this resource" {"error":"insufficient_scope","message":"Your token is valid but does not grant access to this resource."}
	// /admin admin 200  hello dev|admin-user
}

// The same on chi: Authenticate for a group of routes, Require per route,
// so every route's policy reads where the route is declared. The hooks
// are where a request log learns the caller and why a request was refused
// (auth logs nothing itself, and never sees your logger).
func ExampleAuthenticate_chi() {
	tenant, mint := startIssuer("/", auth.DefaultRolesClaim)
	defer tenant.Close()
	v := verifierFor(tenant)

	var log []string
	hooks := []auth.Option{
		auth.OnDenied(func(r *http.Request, err error, d auth.Denial) {
			log = append(log, fmt.Sprintf("denied %s %d: %v", r.URL.Path, d.Status, err))
		}),
	}
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		r.Use(auth.Authenticate(v, hooks...))
		r.Get("/me", me)
		r.With(auth.Require(auth.AnyRole("paid", "admin"), hooks...)).Get("/reports", me)
	})

	fmt.Println(call(r, "/reports", mint, "paid"))
	fmt.Println(call(r, "/reports", mint, "free"))
	fmt.Println(strings.Join(log, "\n"))
	// Output:
	// 200  hello dev|paid-user
	// 403 Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource" {"error":"insufficient_scope","message":"Your token is valid but does not grant access to this resource."}
	// denied /reports 403: insufficient scope: requires any(role:paid,role:admin)
}

// Policies are values: compose them where the route is declared.
func ExampleAllOf() {
	exportReports := auth.AllOf(
		auth.AnyRole("paid", "admin"),
		auth.Permission("read:premium"),
		auth.Scope("openid"),
	)
	fmt.Println(exportReports)
	for _, p := range []*auth.Principal{
		{Subject: "paid", Roles: []string{"paid"}, Permissions: []string{"read:premium"}, Scopes: []string{"openid"}},
		{Subject: "paid, without the permission", Roles: []string{"paid"}, Scopes: []string{"openid"}},
		{Subject: "admin", Roles: []string{"admin"}, Permissions: []string{"read:premium"}, Scopes: []string{"openid"}},
	} {
		fmt.Printf("%s: %v\n", p.Subject, auth.Check(p, exportReports) == nil)
	}
	// Output:
	// all(any(role:paid,role:admin),permission:read:premium,scope:openid)
	// paid: true
	// paid, without the permission: false
	// admin: true
}

// startIssuer serves a development issuer under path on loopback, with
// roles in rolesClaim, and returns a function minting tokens for its
// personas (free, paid, admin).
func startIssuer(path, rolesClaim string) (*httptest.Server, func(persona string) string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	base := strings.TrimSuffix(path, "/")
	iss := devissuer.New(srv.URL+base+"/", key, "https://api.example.com", rolesClaim)
	mux.Handle(base+"/", http.StripPrefix(base, iss.Handler()))
	if base != "" {
		// An issuer whose URL has no trailing slash: its tokens and its
		// discovery document spell it without one.
		iss.URL = srv.URL + base
		mux.HandleFunc("GET "+base+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + "/.well-known/jwks.json"})
		})
	}
	return srv, func(persona string) string {
		p, err := devissuer.LookupPersona(persona)
		if err != nil {
			panic(err)
		}
		token, err := iss.Mint(p, 5*time.Minute)
		if err != nil {
			panic(err)
		}
		return token
	}
}

func verifierFor(tenant *httptest.Server) *auth.Verifier {
	v, err := auth.NewVerifier(auth.Config{Issuer: tenant.URL + "/", Audiences: []string{"https://api.example.com"}},
		auth.NewKeySet(tenant.URL+"/", auth.WithHTTPClient(tenant.Client())))
	if err != nil {
		panic(err)
	}
	return v
}

func me(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	fmt.Fprintf(w, "hello %s", p.Subject)
}

// call sends GET path with a token for persona ("" for none) and returns
// the status, the challenge and the body.
func call(h http.Handler, path string, mint func(string) string, persona string) string {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if persona != "" {
		r.Header.Set("Authorization", "Bearer "+mint(persona))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return fmt.Sprintf("%d %s %s", w.Code, w.Header().Get("WWW-Authenticate"), strings.TrimSpace(w.Body.String()))
}
