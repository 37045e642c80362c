// Package netlifyctx decodes the client context Netlify attaches to a
// function's invocation (clientContext.custom.netlify): where the site's
// Identity lives and the claims of the signed-in user, as Netlify saw them.
// It verifies nothing; auth.Netlify decides what to trust.
package netlifyctx

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fnguard/fnguard/internal/jws"
)

// maxSize bounds the client context we decode. Lambda limits
// a client context to 3583 bytes; allow headroom, refuse anything absurd.
const maxSize = 16 << 10

// Context is the decoded clientContext.custom.netlify.
type Context struct {
	// IdentityURL is the site's Identity (GoTrue) endpoint.
	IdentityURL string
	// User holds the claims of the signed-in user's token as Netlify saw
	// them, or nil when nobody is signed in.
	User json.RawMessage
}

// Parse decodes clientContext.custom.netlify: base64 of
// {"identity":{"url","token"},"user":{claims}}. Duplicate member names are
// refused, so a context cannot say one thing to us and another to Netlify.
func Parse(s string) (Context, error) {
	var nc Context
	if len(s) > maxSize {
		return nc, errors.New("too large")
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Node's Buffer decoder, which Netlify's own functions use, does
		// not insist on padding.
		if raw, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nc, errors.New("not base64")
		}
	}
	fields, err := jws.DecodeObject(raw)
	if err != nil {
		return nc, err
	}
	if id, ok := fields["identity"]; ok && string(id) != "null" {
		idFields, err := jws.DecodeObject(id)
		if err != nil {
			return nc, fmt.Errorf("identity: %w", err)
		}
		if jws.StringField(idFields, "url", &nc.IdentityURL) != nil {
			return nc, errors.New("identity.url is not a string")
		}
	}
	if u, ok := fields["user"]; ok && string(u) != "null" {
		userFields, err := jws.DecodeObject(u)
		if err != nil {
			return nc, fmt.Errorf("user: %w", err)
		}
		if len(userFields) > 0 {
			nc.User = u
		}
	}
	return nc, nil
}
