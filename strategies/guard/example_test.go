package guard_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/strategies/guard"
)

// A raw Lambda handler (API Gateway v1 events, which Netlify also sends Go
// functions) protected by Protect: the handler runs only for callers the
// authenticator verifies and the policy allows; everyone else gets the
// same 401/403 JSON answers as the net/http middleware. In main:
//
//	lambda.Start(guard.Protect(auth.Bearer(v), auth.Role("admin"), log, handler))
func ExampleProtect() {
	tenant, token := issuerForExample()
	defer tenant.Close()
	v, err := auth.NewVerifier(auth.Config{Issuer: tenant.URL + "/", Audiences: []string{"https://api.example.com"}},
		auth.NewKeySet(tenant.URL+"/", auth.WithHTTPClient(tenant.Client())))
	if err != nil {
		panic(err)
	}
	handler := func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		p, _ := auth.FromContext(ctx)
		return guard.JSON(http.StatusOK, map[string]string{"hello": p.Subject}), nil
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	protected := guard.Protect(auth.Bearer(v), auth.Role("admin"), log, handler)

	for _, persona := range []string{"", "paid", "admin"} {
		ev := events.APIGatewayProxyRequest{HTTPMethod: http.MethodGet, Path: "/admin", Headers: map[string]string{}}
		if persona != "" {
			ev.Headers["authorization"] = "Bearer " + token(persona)
		}
		resp, _ := protected(context.Background(), ev)
		fmt.Print(resp.StatusCode, " ", resp.Body)
	}
	// Output:
	// 401 {"error":"unauthorized","message":"Sign in and send the access token in an 'Authorization: Bearer' header."}
	// 403 {"error":"insufficient_scope","message":"Your token is valid but does not grant access to this resource."}
	// 200 {"hello":"dev|admin-user"}
}

// issuerForExample serves a development issuer on loopback and returns a
// function minting its personas' tokens.
func issuerForExample() (*httptest.Server, func(persona string) string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	iss := devissuer.New(srv.URL+"/", key, "https://api.example.com", auth.DefaultRolesClaim)
	mux.Handle("/", iss.Handler())
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
