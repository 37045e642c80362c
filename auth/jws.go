package auth

import (
	"errors"
	"fmt"

	"github.com/fnguard/fnguard/internal/jws"
)

// parseHeader is jws.ParseHeader for access tokens: signed with alg, naming a
// kid, typed JWT or at+jwt (RFC 9068) or untyped.
func parseHeader(token, alg string) (jws.Header, error) {
	hdr, err := jws.ParseHeader(token)
	switch {
	case err != nil:
		return hdr, err
	case hdr.Alg == "":
		return hdr, errors.New("header has no alg")
	case hdr.Alg != alg:
		return hdr, fmt.Errorf("algorithm %.20q not accepted", hdr.Alg)
	case hdr.Kid == "":
		return hdr, errors.New("header has no kid")
	case hdr.Typ != "" && !jws.IsMediaType(hdr.Typ, "jwt") && !jws.IsMediaType(hdr.Typ, "at+jwt"):
		return hdr, fmt.Errorf("typ %.20q not accepted", hdr.Typ)
	}
	return hdr, nil
}
