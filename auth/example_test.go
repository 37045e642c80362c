package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
)

// A route for admins only: Authenticate puts the verified Principal in the
// request context, Require checks it against the route's policy.
func ExampleRequire() {
	admin := func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", p.Subject)
	}
	// In a service: auth.Authenticate(verifier)(auth.Require(...)(handler)).
	h := auth.Require(auth.Role("admin"))(http.HandlerFunc(admin))

	for _, p := range []*auth.Principal{
		{Subject: "dev|paid-user", Roles: []string{"paid"}},
		{Subject: "dev|admin-user", Roles: []string{"admin"}},
	} {
		r := httptest.NewRequest(http.MethodGet, "/admin", nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), p)))
		fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
	}
	// Output:
	// 403 Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"
	// 200
}

func ExampleAnyRole() {
	paidOrAdmin := auth.AnyRole("paid", "admin")
	fmt.Println(paidOrAdmin)
	fmt.Println(paidOrAdmin.Allows(&auth.Principal{Roles: []string{"paid"}}))
	fmt.Println(paidOrAdmin.Allows(&auth.Principal{Roles: []string{}}))
	// Output:
	// any(role:paid,role:admin)
	// true
	// false
}

// Check is Require without HTTP: for Lambda handlers and authorizers.
func ExampleCheck() {
	p := &auth.Principal{Subject: "dev|paid-user", Permissions: []string{"read:premium"}}
	fmt.Println(auth.Check(p, auth.Permission("read:premium")))
	err := auth.Check(p, auth.AllOf(auth.Permission("read:premium"), auth.Role("admin")))
	fmt.Println(errors.Is(err, auth.ErrForbidden))
	err = auth.Check(nil, auth.Authenticated())
	fmt.Println(errors.Is(err, auth.ErrNoToken))
	// Output:
	// <nil>
	// true
	// true
}

// Describe turns any error of the package into the response it deserves;
// the reason stays in the error, for logs.
func ExampleDescribe() {
	for _, err := range []error{
		auth.ErrNoToken,
		auth.ErrTokenExpired,
		auth.ErrUnavailable,
	} {
		d := auth.Describe(err)
		fmt.Println(d.Status, d.Code)
		for name, value := range d.Headers() {
			fmt.Printf("  %s: %s\n", name, value)
		}
	}
	// Output:
	// 401 unauthorized
	//   WWW-Authenticate: Bearer realm="fnguard"
	// 401 invalid_token
	//   WWW-Authenticate: Bearer realm="fnguard", error="invalid_token", error_description="The access token expired"
	// 503 temporarily_unavailable
	//   Retry-After: 5
}

// A Verifier against an issuer's JWKS, here the development issuer served
// on loopback; in production the KeySet points at https://TENANT.auth0.com/.
func ExampleVerifier_Verify() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	var iss *devissuer.Issuer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	iss = devissuer.New(srv.URL+"/", key, "https://api.example", auth.DefaultRolesClaim)

	keys := auth.NewKeySet(iss.URL, auth.WithHTTPClient(srv.Client()))
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, Audiences: []string{"https://api.example"}}, keys)
	if err != nil {
		panic(err)
	}
	admin, _ := devissuer.LookupPersona("admin")
	token, err := iss.Mint(admin, 5*time.Minute)
	if err != nil {
		panic(err)
	}

	p, err := v.Verify(context.Background(), token)
	fmt.Println(p.Subject, p.Roles, err)
	_, err = v.Verify(context.Background(), token+"x")
	fmt.Println(err != nil, errors.Is(err, auth.ErrInvalidToken))
	// Output:
	// dev|admin-user [admin] <nil>
	// true true
}
