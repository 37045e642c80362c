// Package jws reads the protected header of a compact JWS strictly, before
// any JOSE library sees the token. Every verifier of this module runs
// ParseHeader first: it bounds the work a hostile token can cause (exactly
// two dots, so go-jose v2's unbounded split of CVE-2025-27144 never runs on
// our input) and refuses the header tricks go-jose would honour.
package jws

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Header is the protected header of a compact JWS, as far as the
// verifiers here read it.
type Header struct {
	Alg string
	Kid string
	Typ string
}

// MaxTokenSize bounds the tokens we are willing to parse. Auth0 access
// tokens with many permissions stay well under 8 KiB.
const MaxTokenSize = 16 << 10

// MaxKeyIDLength bounds the kid we look up and log.
const MaxKeyIDLength = 256

// refusedHeaders are header parameters we never honour. jku, x5u and jwk
// would let the token name its own verification key (the attacker's);
// x5c likewise; crit asks us to understand extensions we do not implement
// (RFC 7515 §4.1.11 says such a token must be rejected); zip is for JWE.
var refusedHeaders = []string{"jku", "jwk", "x5u", "x5c", "crit", "zip", "b64"}

// ParseHeader checks that token is a compact JWS (RFC 7515 §7.1) in
// canonical base64url, whose header has no duplicate member and none of the
// parameters we never honour (jku, jwk, x5u, x5c, crit, zip, b64), and
// returns the header. go-jose would also accept the JSON serialization and
// those parameters, so every verifier runs this first. A token over
// MaxTokenSize is refused unread. It checks no
// algorithm: callers compare Alg with the one they expect before any key is
// looked up, which stops alg "none" and HS/RS confusion.
func ParseHeader(token string) (Header, error) {
	var hdr Header
	if len(token) > MaxTokenSize {
		return hdr, errors.New("token too large")
	}
	if strings.Count(token, ".") != 2 {
		return hdr, errors.New("not a compact JWS")
	}
	parts := strings.SplitN(token, ".", 3)
	for _, p := range parts {
		if p == "" {
			return hdr, errors.New("empty JWS segment")
		}
		if strings.ContainsAny(p, "+/=\r\n") {
			return hdr, errors.New("JWS segment is not base64url")
		}
	}
	// go-jose decodes leniently: it skips CR and LF (refused above) and
	// ignores the unused low bits of a segment's last character, so one
	// signature has 16 spellings. Strict decoding keeps one token one
	// string, which the verified-token cache and any deny list keyed on the
	// token rely on.
	for _, p := range parts[1:] {
		if _, err := base64.RawURLEncoding.Strict().DecodeString(p); err != nil {
			return hdr, errors.New("JWS segment is not canonical base64url")
		}
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		return hdr, errors.New("header is not base64url")
	}
	fields, err := DecodeObject(raw)
	if err != nil {
		return hdr, fmt.Errorf("header: %w", err)
	}
	for _, name := range refusedHeaders {
		if _, ok := fields[name]; ok {
			return hdr, fmt.Errorf("header parameter %q refused", name)
		}
	}
	for name, dst := range map[string]*string{"alg": &hdr.Alg, "kid": &hdr.Kid, "typ": &hdr.Typ} {
		if err := StringField(fields, name, dst); err != nil {
			return Header{}, fmt.Errorf("header %s is not a string", name)
		}
	}
	if len(hdr.Kid) > MaxKeyIDLength {
		return Header{}, errors.New("kid too long")
	}
	return hdr, nil
}

// IsMediaType reports whether typ names want as a JOSE "typ" does
// (RFC 7515 §4.1.9): case-insensitively, with "application/" optional.
func IsMediaType(typ, want string) bool {
	return strings.EqualFold(strings.TrimPrefix(strings.ToLower(typ), "application/"), want)
}

// DecodeObject decodes a JSON object, refusing duplicate member names:
// two "alg" members could be read differently by us and by go-jose.
func DecodeObject(raw []byte) (map[string]json.RawMessage, error) {
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
	if dec.More() {
		return nil, errors.New("trailing data after JSON object")
	}
	return fields, nil
}

// StringField decodes the member name of fields into dst, if present.
func StringField(fields map[string]json.RawMessage, name string, dst *string) error {
	raw, ok := fields[name]
	if !ok {
		return nil
	}
	return json.Unmarshal(raw, dst)
}
