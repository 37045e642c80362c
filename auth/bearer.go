package auth

import (
	"net/http"
	"strings"

	"github.com/fnguard/fnguard/internal/jws"
)

// maxTokenSize bounds the bearer tokens we are willing to parse.
const maxTokenSize = jws.MaxTokenSize

// BearerToken extracts the token from the Authorization header (RFC 6750
// §2.1). The scheme is matched case-insensitively. The token is never taken
// from the query string or a form body (§2.2, §2.3): URLs end up in logs.
//
// A request without an Authorization header, or with a scheme other than
// Bearer, yields ErrNoToken; a Bearer header that is malformed, repeated or
// oversized yields ErrInvalidToken.
func BearerToken(h http.Header) (string, error) {
	return bearerFromValues(h.Values("Authorization"))
}

func bearerFromValues(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", deny(ErrNoToken, "no Authorization header")
	case 1:
	default:
		// Two credentials: whichever one a proxy or the library picks, we
		// would be guessing. Refuse.
		return "", deny(ErrInvalidToken, "several Authorization headers")
	}
	v := strings.TrimSpace(values[0])
	scheme, token, found := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		if v == "" {
			return "", deny(ErrNoToken, "empty Authorization header")
		}
		return "", deny(ErrNoToken, "Authorization scheme is not Bearer")
	}
	token = strings.TrimLeft(token, " ")
	switch {
	case !found || token == "":
		return "", deny(ErrInvalidToken, "Bearer scheme without a token")
	case len(token) > maxTokenSize:
		return "", deny(ErrInvalidToken, "token too large")
	case !isToken68(token):
		return "", deny(ErrInvalidToken, "token has characters outside token68")
	}
	return token, nil
}

// isToken68 reports whether s matches RFC 7235's token68 grammar, which a
// compact JWS always does. Anything else (spaces, JSON, control characters)
// is not a bearer token.
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}
