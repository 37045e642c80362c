package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/fnguard/fnguard/auth"
)

// A Netlify function configured with the site's Identity JWT secret checks
// the caller's token itself instead of trusting the client context.
func ExampleNetlify_Authenticate() {
	secret := []byte("the-site-identity-jwt-secret-32-bytes+")
	n, err := auth.NewNetlify(auth.NetlifyConfig{
		Secret: secret,
		Now:    func() time.Time { return time.Unix(1_800_000_000, 0) },
	})
	if err != nil {
		panic(err)
	}
	// What the Identity widget sends: an HS256 token with roles in
	// app_metadata.
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u-42","exp":1800000600,"app_metadata":{"roles":["admin"]}}`))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	token := input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))

	p, err := n.Authenticate(context.Background(), auth.Request{Header: http.Header{"Authorization": {"Bearer " + token}}})
	fmt.Println(p.Subject, p.Roles, err, auth.Check(p, auth.Role("admin")))

	_, err = n.Authenticate(context.Background(), auth.Request{Header: http.Header{}})
	fmt.Println(auth.Describe(err).Status)
	// Output:
	// u-42 [admin] <nil> <nil>
	// 401
}
