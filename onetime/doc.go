// Package onetime issues and redeems single-use access tokens: the guide's
// last strategy, where a signed-in user asks the service for a token that
// lets a client call one target function, for one action, once, within a
// minute (as AWS Cognito or FaunaDB hand out scoped short-lived credentials).
//
// The tokens are JWTs signed with the service's own ES256 key (Key), which
// is published as a JWKS so other services can verify them. They are typed
// (header typ "fnguard-onetime+jwt", RFC 8725 §3.11) so that a user's access
// token is never taken for a single-use token, nor the reverse: the flagship
// auth.Verifier accepts only typ "", "JWT" and "at+jwt", and Verifier here
// accepts only this one.
//
// Redeemer makes a token single-use: after verifying it, it records the
// token's jti in a replay.Store for as long as the token could still verify,
// with an atomic set-if-absent, so of any number of concurrent redemptions
// exactly one succeeds. If the store cannot answer, the token is refused
// with auth.ErrUnavailable (503): never accepted.
package onetime
