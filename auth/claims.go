package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

var errClaimType = errors.New("claim has the wrong type")

// tokenClaims are the authorization claims of an access token. go-jose's
// JSON decoder calls UnmarshalJSON with the verified payload.
type tokenClaims struct {
	rolesClaim  string
	Roles       []string
	Permissions []string
	Scopes      []string
}

// UnmarshalJSON reads the roles claim (whose name is configured), Auth0's
// "permissions" and the OAuth "scope". A claim of the wrong type makes the
// token invalid rather than silently granting or dropping anything.
func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if err := checkNumericDates(raw); err != nil {
		return err
	}
	var err error
	if c.Roles, err = stringList(raw, c.rolesClaim); err != nil {
		return err
	}
	if c.Permissions, err = stringList(raw, "permissions"); err != nil {
		return err
	}
	if s, ok := raw["scope"]; ok && string(s) != "null" {
		var scope string
		if json.Unmarshal(s, &scope) != nil {
			return fmt.Errorf("%w: scope", errClaimType)
		}
		c.Scopes = strings.Fields(scope)
	}
	return nil
}

func stringList(raw map[string]json.RawMessage, name string) ([]string, error) {
	v, ok := raw[name]
	if !ok || string(v) == "null" {
		return nil, nil
	}
	// Decoded through pointers: json.Unmarshal leaves a null element of a
	// []string as "", which would read as a role (or permission) named "".
	var elems []*string
	if err := json.Unmarshal(v, &elems); err != nil {
		return nil, fmt.Errorf("%w: %.64s", errClaimType, name)
	}
	list := make([]string, len(elems))
	for i, e := range elems {
		if e == nil {
			return nil, fmt.Errorf("%w: %.64s holds null", errClaimType, name)
		}
		list[i] = *e
	}
	return list, nil
}

// Validate implements validator.CustomClaims.
func (c *tokenClaims) Validate(context.Context) error { return nil }
