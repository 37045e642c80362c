package auth

import (
	"encoding/json"
	"net/http"
)

// Authenticate returns middleware that requires a valid bearer token and
// puts its Principal in the request context (read it with FromContext).
// It does what go-jwt-middleware's CheckJWT does with the options that make
// it safe (tokens only from the Authorization header, compact JWS only,
// errors answered by WriteError, where the library's defaults answer 400 or
// 500). It does not call CheckJWT: that deep-copies the request (r.Clone:
// headers, URL, eight allocations) on every request, where a context swap
// suffices.
func Authenticate(v *Verifier, opts ...Option) func(http.Handler) http.Handler {
	o := newOptions(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := bearerCandidate(r.Header)
			if err != nil {
				o.writeError(w, r, err)
				return
			}
			p, err := v.Verify(r.Context(), token)
			if err != nil {
				o.writeError(w, r, err)
				return
			}
			if o.onAuthenticated != nil {
				o.onAuthenticated(r, p)
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// Require returns middleware that lets a request through only if the
// Principal put in its context by Authenticate satisfies policy.
func Require(policy Policy, opts ...Option) func(http.Handler) http.Handler {
	o := newOptions(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := FromContext(r.Context())
			if err := Check(p, policy); err != nil {
				o.writeError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// WriteError answers a request refused with err: the status, headers and
// JSON body Describe chooses.
func WriteError(w http.ResponseWriter, r *http.Request, err error, opts ...Option) {
	o := newOptions(opts)
	o.writeError(w, r, err)
}

func (o *options) writeError(w http.ResponseWriter, r *http.Request, err error) {
	d := o.describe(err)
	if o.onDenied != nil {
		o.onDenied(r, err, d)
	}
	for k, v := range d.Headers() {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d.Body())
}
