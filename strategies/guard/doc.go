// Package guard protects plain Lambda handlers (API Gateway v1 events, the
// shape Netlify sends Go functions) with the auth package. It is the thin
// adapter between the two: it turns an event and its client context into an
// auth.Request, runs an Authenticator and a Policy, and turns any auth
// error into the response auth.Describe chooses, so every function strategy
// answers exactly like the flagship router.
//
// Three ways to use it, one core:
//
//   - inline: call Authorize at the top of a handler and return Deny on error;
//   - middleware: Chain(h, Recover(log), Authenticate(a, log), Require(p));
//   - decorator: Protect(a, p, log, h), which is that same chain.
package guard
