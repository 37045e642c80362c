package onetime

import (
	"errors"
	"fmt"

	"github.com/fnguard/fnguard/auth"
)

// parseHeader accepts only what auth.ParseHeader accepts (a canonical
// compact JWS without jku, jwk, x5u, x5c, crit...) whose header says ES256,
// names a kid and is typed as a single-use token. It runs before any
// signature check, so nothing in the header can choose how the token is
// verified.
func parseHeader(token string) (auth.Header, error) {
	h, err := auth.ParseHeader(token)
	switch {
	case err != nil:
		return h, err
	case h.Alg != Algorithm:
		return h, fmt.Errorf("algorithm %.20q not accepted", h.Alg)
	case !auth.IsMediaType(h.Typ, Type):
		// A user's access token (typ JWT or at+jwt) lands here.
		return h, fmt.Errorf("typ %.40q is not a single-use token", h.Typ)
	case h.Kid == "":
		return auth.Header{}, errors.New("kid missing")
	}
	return h, nil
}
