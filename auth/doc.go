// Package auth protects HTTP services and Lambda functions with OAuth 2.0
// bearer tokens: it turns a token into a verified Principal, or into one of
// a few sentinel errors, and decides whether a Principal satisfies a Policy.
//
// # Verifying tokens
//
// A KeySet fetches an issuer's signing keys (OIDC discovery, then the
// JWKS) and a Verifier checks tokens against them:
//
//	keys := auth.NewKeySet("https://TENANT.eu.auth0.com/")
//	v, err := auth.NewVerifier(auth.Config{
//		Issuer:    "https://TENANT.eu.auth0.com/",
//		Audiences: []string{"https://api.example.com"},
//	}, keys)
//
// Any OpenID Connect issuer works the same way: set Issuer exactly as its
// tokens' "iss" spells it and RolesClaim to the claim that holds roles
// (for Auth0, a post-login Action adds them under DefaultRolesClaim). Use
// WithJWKSURL for an issuer without discovery. See ExampleNewVerifier and
// ExampleNewKeySet.
//
// # Protecting routes
//
// Authenticate is net/http middleware that requires a valid bearer token
// and puts its Principal in the request context; Require holds that
// Principal to a Policy. Both work with http.ServeMux, chi or any router
// that takes func(http.Handler) http.Handler:
//
//	r.Use(auth.Authenticate(v))
//	r.With(auth.Require(auth.Role("admin"))).Get("/admin", handleAdmin)
//
// Policies are values (Authenticated, Role, AnyRole, Permission, Scope,
// AllOf, AnyOf), so each route's requirement reads where it is declared.
// Handlers read the caller with FromContext.
//
// # Lambda and Netlify
//
// Package github.com/fnguard/fnguard/strategies/guard protects a raw
// Lambda handler with the same Authenticators and Policies:
// guard.Protect(auth.Bearer(v), auth.Role("admin"), log, handler). For
// Netlify Identity, NewNetlify returns an Authenticator that verifies the
// Identity token (HS256 under the site's JWT secret) rather than trusting
// the client context Netlify passes the function.
//
// # Errors and responses
//
// Every error of this package wraps one of ErrNoToken, ErrInvalidToken
// (or its refinements ErrTokenExpired, ErrIssuerNotAccepted and
// ErrTokenUsed), ErrForbidden or ErrUnavailable. Describe maps them to
// the status, WWW-Authenticate challenge and JSON body RFC 6750 asks for,
// and WriteError writes that answer, so every adapter answers alike.
// Options set the realm (WithRealm) and let a request log learn the
// caller (OnAuthenticated) and why a request was refused (OnDenied); the
// package logs nothing itself. Reasons in errors are for operators, never
// shown to clients, and never contain the token.
//
// # What is checked
//
// Tokens are validated with github.com/auth0/go-jwt-middleware/v2 (and
// Netlify Identity tokens with go-jose v2). Before either library sees a
// token, this package requires a compact JWS of at most 16 KiB with exactly
// two dots in canonical base64url, pins the algorithm (RS256 by default,
// HS256 for Netlify Identity), and refuses header tricks (jku, jwk, x5u,
// x5c, crit, duplicate members). It requires exp and sub, and its KeySet
// refreshes on unknown key ids without letting a flood of random kids
// hammer the issuer. Verified tokens are cached until they expire, their
// key leaves the JWKS, or the cache's TTL ends them, whichever comes first.
package auth
