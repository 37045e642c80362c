package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The outcomes of authentication and authorization. Every error returned by
// this package wraps exactly one of them; Describe maps them to responses.
var (
	// ErrNoToken: the request carries no bearer credentials at all.
	ErrNoToken = errors.New("no bearer token")
	// ErrInvalidToken: credentials were sent but cannot be trusted.
	ErrInvalidToken = errors.New("invalid token")
	// ErrTokenExpired is an ErrInvalidToken whose only fault is its age, so
	// clients can tell "refresh your token" from "this token is bad".
	ErrTokenExpired = fmt.Errorf("%w: expired", ErrInvalidToken)
	// ErrIssuerNotAccepted is an ErrInvalidToken from an issuer this server
	// does not trust: most often a development token minted for another
	// port. Clients are told so, but never which issuer would be accepted.
	ErrIssuerNotAccepted = fmt.Errorf("%w: issuer not accepted", ErrInvalidToken)
	// ErrTokenUsed is an ErrInvalidToken for a single-use token that was
	// already redeemed: ask for a new one rather than retry this one.
	ErrTokenUsed = fmt.Errorf("%w: already used", ErrInvalidToken)
	// ErrForbidden: the token is valid but does not satisfy the policy.
	ErrForbidden = errors.New("insufficient scope")
	// ErrUnavailable: the decision could not be made (no signing keys were
	// ever loaded, a replay store is down). Fail closed, but say so honestly.
	ErrUnavailable = errors.New("authorization temporarily unavailable")
)

// Error carries one of the sentinel errors plus the facts an audit log wants.
// Reason, KeyID and Subject are for operators; clients only ever see the
// text chosen by Describe.
type Error struct {
	Err     error  // one of the sentinels above
	Reason  string // why, for logs
	KeyID   string // kid of the token, when known
	Subject string // sub of the token, when known
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

func deny(sentinel error, reason string) *Error {
	return &Error{Err: sentinel, Reason: reason}
}

// Denial is the response an error deserves.
type Denial struct {
	Status    int    // HTTP status code
	Code      string // the "error" member of the JSON body
	Message   string // the "message" member: safe to show to anyone
	Challenge string // WWW-Authenticate value, empty when none applies
}

// Body is the JSON body of every error response.
type Body struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Body returns the JSON body for d.
func (d Denial) Body() Body { return Body{Error: d.Code, Message: d.Message} }

// Headers returns the headers d sets besides Content-Type.
func (d Denial) Headers() map[string]string {
	h := map[string]string{}
	if d.Challenge != "" {
		h["WWW-Authenticate"] = d.Challenge
	}
	if d.Status == http.StatusServiceUnavailable {
		h["Retry-After"] = "5"
	}
	return h
}

// Describe is the one place where an auth outcome becomes a response
// (RFC 6750 §3). Errors it does not know fail closed as invalid_token.
// Of the options, only WithRealm matters here.
func Describe(err error, opts ...Option) Denial {
	return newOptions(opts).describe(err)
}

func (o *options) describe(err error) Denial {
	challenge := o.challenge
	switch {
	case err == nil:
		return Denial{Status: http.StatusOK}
	case errors.Is(err, ErrNoToken):
		// §3.1: a request without credentials gets a bare challenge.
		return Denial{http.StatusUnauthorized, "unauthorized",
			"Sign in and send the access token in an 'Authorization: Bearer' header.",
			challenge("", "")}
	case errors.Is(err, ErrTokenExpired):
		return Denial{http.StatusUnauthorized, "invalid_token",
			"The access token expired.", challenge("invalid_token", "The access token expired")}
	case errors.Is(err, ErrIssuerNotAccepted):
		return Denial{http.StatusUnauthorized, "invalid_token",
			"The access token's issuer is not accepted here.", challenge("invalid_token", "The token issuer is not accepted")}
	case errors.Is(err, ErrTokenUsed):
		return Denial{http.StatusUnauthorized, "invalid_token",
			"The single-use token was already used.", challenge("invalid_token", "The token was already used")}
	case errors.Is(err, ErrForbidden):
		return Denial{http.StatusForbidden, "insufficient_scope",
			"Your token is valid but does not grant access to this resource.",
			challenge("insufficient_scope", "The access token does not grant access to this resource")}
	case errors.Is(err, ErrUnavailable):
		return Denial{http.StatusServiceUnavailable, "temporarily_unavailable",
			"Authorization is temporarily unavailable; try again shortly.", ""}
	default:
		return Denial{http.StatusUnauthorized, "invalid_token",
			"The access token is invalid.", challenge("invalid_token", "The access token is invalid")}
	}
}

func (o *options) challenge(code, description string) string {
	var b strings.Builder
	b.WriteString(`Bearer realm="` + o.realm + `"`)
	if code != "" {
		b.WriteString(`, error="` + code + `"`)
	}
	if description != "" {
		b.WriteString(`, error_description="` + description + `"`)
	}
	return b.String()
}
