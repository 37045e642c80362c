package onetime

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// header is what we read from a single-use token's protected header.
type header struct {
	Alg string
	Kid string
	Typ string
}

// refusedHeaders would let a token name its own key (jku, jwk, x5u, x5c) or
// demand processing we do not do (crit, b64, zip).
var refusedHeaders = []string{"jku", "jwk", "x5u", "x5c", "crit", "zip", "b64"}

// parseHeader accepts only a compact JWS (go-jose would also take the JSON
// serialization) whose header says ES256, names a kid and is typed as a
// single-use token. It runs before any signature check, so nothing in the
// header can choose how the token is verified.
func parseHeader(token string) (header, error) {
	var h header
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return h, errors.New("not a compact JWS")
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, "+/=") {
			return h, errors.New("JWS segment empty or not base64url")
		}
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		return h, errors.New("header is not base64url")
	}
	fields, err := decodeObject(raw)
	if err != nil {
		return h, fmt.Errorf("header: %w", err)
	}
	for _, name := range refusedHeaders {
		if _, ok := fields[name]; ok {
			return h, fmt.Errorf("header parameter %q refused", name)
		}
	}
	for name, dst := range map[string]*string{"alg": &h.Alg, "kid": &h.Kid, "typ": &h.Typ} {
		if v, ok := fields[name]; ok && json.Unmarshal(v, dst) != nil {
			return header{}, fmt.Errorf("header %s is not a string", name)
		}
	}
	switch {
	case h.Alg != Algorithm:
		return h, fmt.Errorf("algorithm %.20q not accepted", h.Alg)
	case !isOurType(h.Typ):
		// A user's access token (typ JWT or at+jwt) lands here.
		return h, fmt.Errorf("typ %.40q is not a single-use token", h.Typ)
	case h.Kid == "" || len(h.Kid) > 256:
		return header{}, errors.New("kid missing or too long")
	}
	return h, nil
}

// isOurType compares typ as a media type (RFC 7515 §4.1.9): case-insensitive,
// with the "application/" prefix optional.
func isOurType(typ string) bool {
	t := strings.ToLower(typ)
	t = strings.TrimPrefix(t, "application/")
	return t == Type
}

// decodeObject decodes one JSON object, refusing duplicate members: two
// "alg" could be read one way here and another way by go-jose.
func decodeObject(raw []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("malformed JSON")
		}
		name, _ := tok.(string)
		if _, dup := fields[name]; dup {
			return nil, fmt.Errorf("duplicate member %.20q", name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("malformed JSON")
		}
		fields[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("malformed JSON")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after JSON object")
	}
	return fields, nil
}
