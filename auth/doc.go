// Package auth turns a bearer token into a verified Principal, or into one
// of a few sentinel errors, and decides whether a Principal satisfies a
// Policy.
//
// The core (Verifier, KeySet, Policy, Check) knows nothing about routers or
// Lambda. Thin adapters sit on top: Authenticate and Require are net/http
// middleware; Describe maps any error of this package to the HTTP status,
// WWW-Authenticate challenge and JSON body that RFC 6750 asks for, so every
// strategy (router, raw Lambda handler, authorizer) answers the same way.
//
// Tokens are validated with github.com/auth0/go-jwt-middleware/v2. Around it
// this package adds what an operator needs from a resource server:
// compact-JWS-only parsing, refusal of header tricks (jku, jwk, x5u, crit),
// mandatory exp, and a JWKS cache that refreshes on unknown key ids without
// letting a flood of random kids hammer the issuer.
package auth
