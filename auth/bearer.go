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
	return bearerFromValues(h["Authorization"]) // canonical already: Values' answer
}

// bearerCandidate is BearerToken without the token68 scan, for callers that
// hand the token to Verifier.Verify: Verify scans what it has not cached
// (verifier.go), and a token it has cached is byte for byte one that was
// scanned (the cache is keyed by SHA-256), so a cached token is not scanned
// again on every request.
func bearerCandidate(h http.Header) (string, error) {
	return bearer(h["Authorization"], false)
}

func bearerFromValues(values []string) (string, error) {
	return bearer(values, true)
}

func bearer(values []string, scan bool) (string, error) {
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
	case scan && !isToken68(token):
		return "", deny(ErrInvalidToken, "token has characters outside token68")
	}
	return token, nil
}

// isToken68 reports whether s matches RFC 7235's token68 grammar, which a
// compact JWS always does. Anything else (spaces, JSON, control characters)
// is not a bearer token. A table look-up per byte, eight bytes per branch:
// a token's characters are random, and a switch's comparisons mispredict
// on them.
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for len(body) >= 8 {
		b := body[:8]
		if token68[b[0]]&token68[b[1]]&token68[b[2]]&token68[b[3]]&
			token68[b[4]]&token68[b[5]]&token68[b[6]]&token68[b[7]] == 0 {
			return false
		}
		body = body[8:]
	}
	for i := 0; i < len(body); i++ {
		if token68[body[i]] == 0 {
			return false
		}
	}
	return true
}

// token68 is 1 for token68's characters before its trailing '='s, 0 for
// the others; the scan ANDs eight at a time.
var token68 = func() (t [256]uint8) {
	for c := range 256 {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' {
			t[c] = 1
		}
	}
	return t
}()
