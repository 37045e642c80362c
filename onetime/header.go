package onetime

import (
	"errors"
	"fmt"

	"github.com/fnguard/fnguard/internal/jws"
)

// parseHeader accepts only what jws.ParseHeader accepts (a canonical
// compact JWS without jku, jwk, x5u, x5c, crit...) whose header says ES256,
// names a kid and is typed as a single-use token. It runs before any
// signature check, so nothing in the header can choose how the token is
// verified.
func parseHeader(token string) (jws.Header, error) {
	h, err := jws.ParseHeader(token)
	switch {
	case err != nil:
		return h, err
	case h.Alg != Algorithm:
		return h, fmt.Errorf("algorithm %.20q not accepted", h.Alg)
	case !jws.IsMediaType(h.Typ, Type):
		// A user's access token (typ JWT or at+jwt) lands here.
		return h, fmt.Errorf("typ %.40q is not a single-use token", h.Typ)
	case h.Kid == "":
		return jws.Header{}, errors.New("kid missing")
	}
	return h, nil
}
