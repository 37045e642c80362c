package auth

import (
	"context"
	"net/http"
)

// Request is what an Authenticator may look at: the call's headers and, on
// Netlify, the client context the platform attached to the invocation.
// Adapters build it from an http.Request or a Lambda event; auth never sees
// either.
type Request struct {
	// Header holds every header of the call, multi-valued, keys in any case
	// (use Header.Values, which canonicalizes).
	Header http.Header
	// NetlifyContext is clientContext.custom.netlify: base64 JSON that
	// Netlify puts on the invocation itself, outside the HTTP request, so a
	// client cannot set it through a header.
	NetlifyContext string
}

// Cookie returns the value of the one cookie called name. Two cookies of
// that name (say, one set for a parent domain) is ErrInvalidToken: picking
// one would be a guess an attacker can steer.
func (r Request) Cookie(name string) (string, error) {
	var found []string
	for _, line := range r.Header.Values("Cookie") {
		cookies, err := http.ParseCookie(line)
		if err != nil {
			continue
		}
		for _, c := range cookies {
			if c.Name == name {
				found = append(found, c.Value)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", deny(ErrNoToken, "no "+name+" cookie")
	case 1:
		return found[0], nil
	default:
		return "", deny(ErrInvalidToken, "several "+name+" cookies")
	}
}

// An Authenticator turns a request into the verified caller that sent it,
// or into an error wrapping one of this package's sentinels (see Describe).
// Auth0 (Bearer) and Netlify Identity (*Netlify) are the two providers.
type Authenticator interface {
	Authenticate(ctx context.Context, r Request) (*Principal, error)
}

// AuthenticatorFunc lets a function be an Authenticator.
type AuthenticatorFunc func(ctx context.Context, r Request) (*Principal, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, r Request) (*Principal, error) {
	return f(ctx, r)
}

// Bearer returns the Auth0 provider: the access token of the Authorization
// header, checked by v against the issuer's keys.
func Bearer(v *Verifier) Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, r Request) (*Principal, error) {
		token, err := BearerToken(r.Header)
		if err != nil {
			return nil, err
		}
		return v.Verify(ctx, token)
	})
}
