package auth

import "net/http"

// defaultRealm is the realm of WWW-Authenticate challenges unless WithRealm
// says otherwise.
const defaultRealm = "fnguard"

// An Option configures how Authenticate, Require, WriteError and Describe
// answer and whom they tell.
type Option func(*options)

type options struct {
	realm           string
	onAuthenticated func(*http.Request, *Principal)
	onDenied        func(*http.Request, error, Denial)
}

func newOptions(opts []Option) *options {
	o := &options{realm: defaultRealm}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithRealm sets the realm announced in WWW-Authenticate challenges
// (RFC 6750 §3); the default is "fnguard". It should name your service: a
// client may use it to pick which credentials to send.
func WithRealm(realm string) Option { return func(o *options) { o.realm = realm } }

// OnAuthenticated has f called with every request Authenticate lets
// through and its verified caller, before the next handler runs: the place
// to put the caller's subject on the request's log line.
func OnAuthenticated(f func(r *http.Request, p *Principal)) Option {
	return func(o *options) { o.onAuthenticated = f }
}

// OnDenied has f called with every request refused, the error (whose
// *Error carries the reason, key id and subject, for operators) and the
// response chosen: the place to log why. The token itself never reaches f.
func OnDenied(f func(r *http.Request, err error, d Denial)) Option {
	return func(o *options) { o.onDenied = f }
}
