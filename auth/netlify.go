package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/internal/jws"
	"github.com/fnguard/fnguard/internal/netlifyctx"
)

// NetlifyCookie is the cookie in which Netlify Identity keeps the user's
// token, and which Netlify's proxy checks for role-based redirects.
const NetlifyCookie = "nf_jwt"

// DefaultNetlifyRolesPath is where Netlify Identity puts roles assigned in
// the Identity UI or by a signup hook.
const DefaultNetlifyRolesPath = "app_metadata.roles"

// minNetlifySecretSize: RFC 7518 §3.2 requires an HS256 key of at least the
// hash size, 256 bits. A shorter secret can be brute-forced from one token.
const minNetlifySecretSize = 32

// NetlifyConfig configures the Netlify Identity provider.
type NetlifyConfig struct {
	// Secret is the site's Identity JWT secret. With it, every token is
	// verified (HS256 only) and the client context is never taken on faith.
	Secret []byte
	// RolesPath is the dotted path of the roles list in the token's claims;
	// default DefaultNetlifyRolesPath.
	RolesPath string
	// TrustUnverifiedContext accepts the client context's user as is when
	// there is no Secret. For development only: `netlify dev` fills the
	// context from any bearer JWT without checking its signature.
	TrustUnverifiedContext bool
	ClockSkew              time.Duration    // leeway for exp, nbf and iat
	Now                    func() time.Time // default time.Now
}

// Netlify is the Netlify Identity provider: it reads the user Netlify puts
// in a function's client context and, given the site's JWT secret,
// re-verifies that user's token rather than trusting the context. Proxy
// rules can be misconfigured, and the local tooling forges contexts freely.
type Netlify struct {
	secret    []byte
	rolesPath []string
	skew      time.Duration
	now       func() time.Time
}

// NewNetlify returns the provider, or an error when cfg would trust callers
// it cannot check: no secret outside development, or a secret too short.
func NewNetlify(cfg NetlifyConfig) (*Netlify, error) {
	switch {
	case len(cfg.Secret) == 0 && !cfg.TrustUnverifiedContext:
		return nil, errors.New("no Netlify Identity JWT secret: refusing to trust the client context unverified outside development")
	case len(cfg.Secret) > 0 && len(cfg.Secret) < minNetlifySecretSize:
		return nil, fmt.Errorf("the Netlify Identity JWT secret has %d bytes; HS256 needs at least %d (RFC 7518 §3.2)", len(cfg.Secret), minNetlifySecretSize)
	}
	path := cfg.RolesPath
	if path == "" {
		path = DefaultNetlifyRolesPath
	}
	segments := strings.Split(path, ".")
	for _, s := range segments {
		if s == "" {
			return nil, fmt.Errorf("roles path %q has an empty segment", path)
		}
	}
	n := &Netlify{rolesPath: segments, skew: cfg.ClockSkew, now: cfg.Now}
	if len(cfg.Secret) > 0 {
		n.secret = append([]byte(nil), cfg.Secret...)
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// Verifies reports whether n checks token signatures (a secret is set).
func (n *Netlify) Verifies() bool { return n.secret != nil }

// Authenticate implements Authenticator. With a secret, the caller is the
// subject of the Identity token sent as a Bearer header or nf_jwt cookie,
// verified; a client context user, when present, must be that same subject.
// Without a secret (development only, see NetlifyConfig), the caller is the
// client context's user, unverified.
func (n *Netlify) Authenticate(ctx context.Context, r Request) (*Principal, error) {
	var user *Principal
	if r.NetlifyContext != "" {
		var err error
		if user, err = n.contextUser(r.NetlifyContext); err != nil && !errors.Is(err, ErrNoToken) {
			return nil, err
		}
	}
	if n.secret == nil {
		if user == nil {
			return nil, deny(ErrNoToken, "no Netlify Identity user in the client context")
		}
		return user, nil
	}
	token, err := identityToken(r)
	if err != nil {
		return nil, err
	}
	p, err := n.VerifyToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if user != nil && user.Subject != p.Subject {
		// The context describes someone else than the token we verified:
		// a proxy mix-up or a forgery. Neither is worth guessing about.
		return nil, &Error{Err: ErrInvalidToken, Reason: "client context user is not the token's subject", Subject: p.Subject}
	}
	return p, nil
}

// identityToken reads the user's own token: the Authorization header that
// the Identity widget sends, else the nf_jwt cookie. (The client context's
// identity.token is an admin token for the Identity API, not the user's.)
func identityToken(r Request) (string, error) {
	token, err := BearerToken(r.Header)
	if !errors.Is(err, ErrNoToken) {
		return token, err
	}
	token, err = r.Cookie(NetlifyCookie)
	if errors.Is(err, ErrNoToken) {
		return "", deny(ErrNoToken, "no Identity token in the Authorization header or the "+NetlifyCookie+" cookie")
	}
	return token, err
}

// VerifyToken checks a raw Netlify Identity token (from the nf_jwt cookie or
// an Authorization header): an HS256 compact JWS under the site's secret,
// with a subject and an unexpired exp. Any other algorithm is refused before
// the signature is looked at, so an RS256 or "none" header can never be
// checked against the secret.
func (n *Netlify) VerifyToken(_ context.Context, token string) (*Principal, error) {
	if n.secret == nil {
		return nil, deny(ErrInvalidToken, "no Identity JWT secret configured to verify tokens with")
	}
	if err := checkHS256Header(token); err != nil {
		return nil, deny(ErrInvalidToken, err.Error())
	}
	jws, err := jose.ParseSigned(token)
	if err != nil {
		return nil, deny(ErrInvalidToken, "malformed token")
	}
	payload, err := jws.Verify(n.secret)
	if err != nil {
		return nil, deny(ErrInvalidToken, "signature does not verify")
	}
	return n.principal(payload)
}

// contextUser returns the user of a client context (clientContext.custom.
// netlify) WITHOUT verifying it: only its shape and its exp are checked.
// Netlify's proxy verified it in production, but nothing here can tell
// production from `netlify dev`; prefer Authenticate.
func (n *Netlify) contextUser(netlifyContext string) (*Principal, error) {
	nc, err := netlifyctx.Parse(netlifyContext)
	if err != nil {
		return nil, deny(ErrInvalidToken, "client context: "+err.Error())
	}
	if nc.User == nil {
		return nil, deny(ErrNoToken, "no user in the client context")
	}
	return n.principal(nc.User)
}

// checkHS256Header is parseHeader for Identity tokens, which carry no kid
// (a site has one secret): compact JWS, no refused header parameter, alg
// exactly HS256.
func checkHS256Header(token string) error {
	hdr, err := jws.ParseHeader(token)
	switch {
	case err != nil:
		return err
	case hdr.Alg != "HS256":
		return fmt.Errorf("algorithm %.20q not accepted", hdr.Alg)
	case hdr.Typ != "" && !jws.IsMediaType(hdr.Typ, "jwt"):
		return fmt.Errorf("typ %.20q not accepted", hdr.Typ)
	}
	return nil
}

// principal turns Identity claims into a Principal, checking sub, exp
// (required: a token that never expires is one leak from permanent access),
// nbf and iat.
func (n *Netlify) principal(claims []byte) (*Principal, error) {
	fields, err := jws.DecodeObject(claims)
	if err != nil {
		return nil, deny(ErrInvalidToken, "claims: "+err.Error())
	}
	var sub, iss string
	if jws.StringField(fields, "sub", &sub) != nil || sub == "" {
		return nil, deny(ErrInvalidToken, "token has no sub")
	}
	if jws.StringField(fields, "iss", &iss) != nil {
		return nil, &Error{Err: ErrInvalidToken, Reason: "iss is not a string", Subject: sub}
	}
	exp, ok, err := unixField(fields, "exp")
	if err != nil || !ok {
		return nil, &Error{Err: ErrInvalidToken, Reason: "token has no valid exp", Subject: sub}
	}
	now := n.now()
	if now.After(exp.Add(n.skew)) {
		return nil, &Error{Err: ErrTokenExpired, Reason: "token expired", Subject: sub}
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := unixField(fields, name)
		if err != nil {
			return nil, &Error{Err: ErrInvalidToken, Reason: name + " is not a valid time", Subject: sub}
		}
		if ok && t.After(now.Add(n.skew)) {
			return nil, &Error{Err: ErrInvalidToken, Reason: "token not valid yet (" + name + ")", Subject: sub}
		}
	}
	roles, err := n.roles(fields)
	if err != nil {
		return nil, &Error{Err: ErrInvalidToken, Reason: err.Error(), Subject: sub}
	}
	return &Principal{
		Subject:     sub,
		Issuer:      iss,
		Roles:       roles,
		Permissions: []string{},
		Scopes:      []string{},
		ExpiresAt:   exp,
	}, nil
}

// roles follows the configured path. A missing path means no roles; a path
// that holds something other than a list of strings makes the token invalid
// rather than silently granting or dropping anything.
func (n *Netlify) roles(fields map[string]json.RawMessage) ([]string, error) {
	last := len(n.rolesPath) - 1
	for _, seg := range n.rolesPath[:last] {
		v, ok := fields[seg]
		if !ok || string(v) == "null" {
			return []string{}, nil
		}
		next, err := jws.DecodeObject(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %.64s", errClaimType, seg)
		}
		fields = next
	}
	list, err := stringList(fields, n.rolesPath[last])
	return nonNil(list), err
}

func unixField(fields map[string]json.RawMessage, name string) (time.Time, bool, error) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return time.Time{}, false, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || !jws.InNumericDateRange(f) {
		return time.Time{}, false, fmt.Errorf("%s is not a NumericDate", name)
	}
	return time.Unix(int64(f), 0), true, nil
}
