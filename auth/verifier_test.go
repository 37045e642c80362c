package auth

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/jws"
)

const (
	challengeInvalid = `Bearer realm="fnguard", error="invalid_token", error_description="The access token is invalid"`
	challengeExpired = `Bearer realm="fnguard", error="invalid_token", error_description="The access token expired"`
	challengeIssuer  = `Bearer realm="fnguard", error="invalid_token", error_description="The token issuer is not accepted"`
	challengeUsed    = `Bearer realm="fnguard", error="invalid_token", error_description="The token was already used"`
)

// tokenShape is one token a client might send. A valid shape lists what the
// Principal must say; an invalid one, the sentinel its error must wrap.
type tokenShape struct {
	name  string
	token string
	want  error // nil for a valid token

	subject     string
	roles       []string
	permissions []string
	scopes      []string
}

// tokenShapes are the tokens the verifier and the middleware are tested
// with. jku and x5u headers point at trapURL, which must never be fetched.
func tokenShapes(t testing.TB, ti *testIssuer, trapURL string) []tokenShape {
	t.Helper()
	// Keys first: making one can take seconds under the race detector, and
	// the time-sensitive rows below should not age while it runs.
	attacker := attackerKey()
	now := time.Now()
	kid := ti.KeyID()
	defaultScopes := []string{"openid", "profile", "email"}

	// withClaims is an admin token whose claims f edits.
	withClaims := func(f func(c map[string]any)) string {
		c := ti.claims(t, "admin")
		f(c)
		return ti.signClaims(t, c)
	}
	// withHeader is an admin token signed by the issuer's key under a header f edits.
	withHeader := func(f func(h map[string]any)) string {
		h := ti.header()
		f(h)
		return forge(t, issuerKey(), h, ti.claims(t, "admin"))
	}
	adminPayload := mustJSON(t, ti.claims(t, "admin"))
	rawHeader := func(h string) []byte { return []byte(strings.ReplaceAll(h, "KID", kid)) }
	// unsigned is header.payload.sig with the given (possibly empty) signature.
	unsigned := func(h map[string]any, sig string) string {
		return b64(mustJSON(t, h)) + "." + b64(adminPayload) + "." + sig
	}

	admin := strings.Split(ti.mint(t, "admin"), ".")
	free := strings.Split(ti.mint(t, "free"), ".")

	der, err := x509.MarshalPKIXPublicKey(&issuerKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemSecret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	pkcs1Secret := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&issuerKey().PublicKey)})
	jwkSecret, err := publicJWK(issuerKey(), kid).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	attackerJWK := publicJWK(attacker, kid)

	shapes := []tokenShape{
		{name: "free persona token is valid and grants no role", token: ti.mint(t, "free"),
			subject: "dev|free-user", roles: []string{}, permissions: []string{"read:profile"}, scopes: defaultScopes},
		{name: "paid persona token is valid with the paid role", token: ti.mint(t, "paid"),
			subject: "dev|paid-user", roles: []string{"paid"}, permissions: []string{"read:profile", "read:premium"}, scopes: defaultScopes},
		{name: "admin persona token is valid with the admin role and permissions", token: ti.mint(t, "admin"),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "token for the second configured audience is valid",
			token:   withClaims(func(c map[string]any) { c["aud"] = secondAudience }),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "token naming another audience besides ours is valid",
			token:   withClaims(func(c map[string]any) { c["aud"] = []string{"https://elsewhere.example", testAudience} }),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "token expired within the clock skew is valid",
			token:   withClaims(func(c map[string]any) { c["exp"] = now.Add(-5 * time.Second).Unix() }),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "scope claim is split on spaces and empty permissions stay empty",
			token: withClaims(func(c map[string]any) {
				c["scope"] = "read:orders  write:orders"
				delete(c, "permissions")
			}),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{}, scopes: []string{"read:orders", "write:orders"}},
		{name: "roles in a claim other than the configured one grant nothing",
			token: withClaims(func(c map[string]any) {
				delete(c, DefaultRolesClaim)
				c["roles"] = []string{"admin"}
				c["https://fnguard.dev/Roles"] = []string{"admin"}
				c["https://other.example/roles"] = []string{"admin"}
			}),
			subject: "dev|admin-user", roles: []string{}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "typ at+jwt (RFC 9068) is valid",
			token:   withHeader(func(h map[string]any) { h["typ"] = "at+jwt" }),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "typ application/at+JWT is valid",
			token:   withHeader(func(h map[string]any) { h["typ"] = "application/at+JWT" }),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},
		{name: "token without typ is valid",
			token:   withHeader(func(h map[string]any) { delete(h, "typ") }),
			subject: "dev|admin-user", roles: []string{"admin"}, permissions: []string{"read:profile", "read:premium", "read:admin"}, scopes: defaultScopes},

		// Lifetime.
		{name: "expired token is refused as expired", want: ErrTokenExpired,
			token: withClaims(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })},
		{name: "token with exp 0 is refused as expired", want: ErrTokenExpired,
			token: withClaims(func(c map[string]any) { c["exp"] = 0 })},
		{name: "token not yet valid (nbf) is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() })},
		{name: "token issued in the future (iat) is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix() })},
		{name: "token with nbf beyond int64 is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["nbf"] = 1e19 })},
		{name: "token with iat beyond int64 is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["iat"] = 1e19 })},
		{name: "token with nbf just below the int64 maximum is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["nbf"] = int64(math.MaxInt64 - 1024) })},
		{name: "token with iat just below the int64 maximum is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["iat"] = int64(math.MaxInt64 - 1024) })},
		{name: "token with nbf past year 36812 is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["nbf"] = int64(1<<40 + 1) })},
		{name: "token with a negative iat is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["iat"] = -1 })},
		{name: "token with exp just below the int64 maximum is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["exp"] = int64(math.MaxInt64 - 1024) })},
		{name: "token with exp past year 36812 is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["exp"] = int64(1<<40 + 1) })},
		{name: "token without exp is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { delete(c, "exp") })},
		{name: "token with exp null is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["exp"] = nil })},
		{name: "token with a string exp is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["exp"] = "4102444800" })},

		// Subject, audience, issuer.
		{name: "token without sub is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { delete(c, "sub") })},
		{name: "token with an empty sub is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["sub"] = "" })},
		{name: "token with a numeric sub is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["sub"] = 42 })},
		{name: "token for another audience is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["aud"] = []string{"https://elsewhere.example"} })},
		{name: "token without aud is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { delete(c, "aud") })},
		{name: "token from another issuer is refused", want: ErrIssuerNotAccepted,
			token: withClaims(func(c map[string]any) { c["iss"] = "https://evil.example/" })},
		{name: "issuer without its trailing slash is refused", want: ErrIssuerNotAccepted,
			token: withClaims(func(c map[string]any) { c["iss"] = strings.TrimSuffix(ti.URL, "/") })},
		{name: "token without iss is refused", want: ErrIssuerNotAccepted,
			token: withClaims(func(c map[string]any) { delete(c, "iss") })},

		// Algorithms.
		{name: `alg "none" without signature is refused`, want: ErrInvalidToken,
			token: unsigned(map[string]any{"alg": "none", "typ": "JWT", "kid": kid}, "")},
		{name: `alg "None" without signature is refused`, want: ErrInvalidToken,
			token: unsigned(map[string]any{"alg": "None", "kid": kid}, "")},
		{name: `alg "NONE" with a signature is refused`, want: ErrInvalidToken,
			token: unsigned(map[string]any{"alg": "NONE", "kid": kid}, b64([]byte("signature")))},
		{name: `alg "nOnE" with the genuine signature is refused`, want: ErrInvalidToken,
			token: unsigned(map[string]any{"alg": "nOnE", "kid": kid}, admin[2])},
		{name: `alg "none" without kid is refused`, want: ErrInvalidToken,
			token: unsigned(map[string]any{"alg": "none"}, "")},
		{name: "HS256 signed with the RSA public key as PEM is refused", want: ErrInvalidToken,
			token: signRaw(t, "HS256", pemSecret, mustJSON(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}), adminPayload)},
		{name: "HS256 signed with the RSA public key as PKCS #1 PEM is refused", want: ErrInvalidToken,
			token: signRaw(t, "HS256", pkcs1Secret, mustJSON(t, map[string]any{"alg": "HS256", "kid": kid}), adminPayload)},
		{name: "HS256 signed with the RSA public key as JWK is refused", want: ErrInvalidToken,
			token: signRaw(t, "HS256", jwkSecret, mustJSON(t, map[string]any{"alg": "HS256", "kid": kid}), adminPayload)},
		{name: "RS384 token signed by the issuer key is refused when RS256 is configured", want: ErrInvalidToken,
			token: signRaw(t, "RS384", issuerKey(), mustJSON(t, map[string]any{"alg": "RS384", "kid": kid}), adminPayload)},
		{name: "PS256 token signed by the issuer key is refused when RS256 is configured", want: ErrInvalidToken,
			token: signRaw(t, "PS256", issuerKey(), mustJSON(t, map[string]any{"alg": "PS256", "kid": kid}), adminPayload)},
		{name: "lower-case rs256 is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["alg"] = "rs256" })},

		// Keys and signatures.
		{name: "unknown kid is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["kid"] = "no-such-key" })},
		{name: "another RSA key signing under the known kid is refused", want: ErrInvalidToken,
			token: forge(t, attacker, ti.header(), ti.claims(t, "admin"))},
		{name: "stripped signature is refused", want: ErrInvalidToken,
			token: admin[0] + "." + admin[1] + "."},
		{name: "token without the signature segment is refused", want: ErrInvalidToken,
			token: admin[0] + "." + admin[1]},
		{name: "signature swapped in from another token is refused", want: ErrInvalidToken,
			token: admin[0] + "." + admin[1] + "." + free[2]},
		{name: "admin claims under a free token's header and signature are refused", want: ErrInvalidToken,
			token: free[0] + "." + admin[1] + "." + free[2]},
		{name: "signature spelled with stray bits in its last character is refused", want: ErrInvalidToken,
			token: admin[0] + "." + admin[1] + "." + strayBits(t, admin[2])},
		{name: "truncated signature is refused", want: ErrInvalidToken,
			token: admin[0] + "." + admin[1] + "." + admin[2][:len(admin[2])-4]},

		// Malformed.
		{name: "empty token is refused", want: ErrInvalidToken, token: ""},
		{name: "opaque token is refused", want: ErrInvalidToken, token: "not-a-jwt"},
		{name: "four segments are refused", want: ErrInvalidToken, token: strings.Join(admin, ".") + ".x"},
		{name: "five segments (JWE) are refused", want: ErrInvalidToken, token: "a.b.c.d.e"},
		{name: "header that is not base64url is refused", want: ErrInvalidToken, token: "!!!." + admin[1] + "." + admin[2]},
		{name: "padded base64 segments are refused", want: ErrInvalidToken,
			token: base64.URLEncoding.EncodeToString(mustJSON(t, map[string]any{"alg": "RS256", "kid": kid, "x": "1"})) + "." + admin[1] + "." + admin[2]},
		{name: "standard base64 alphabet is refused", want: ErrInvalidToken,
			token: admin[0] + "." + strings.ReplaceAll(strings.ReplaceAll(admin[1], "-", "+"), "_", "/") + "+." + admin[2]},
		{name: "header that is not JSON is refused", want: ErrInvalidToken, token: b64([]byte("RS256")) + "." + admin[1] + "." + admin[2]},
		{name: "header that is a JSON array is refused", want: ErrInvalidToken, token: b64([]byte(`["alg","RS256"]`)) + "." + admin[1] + "." + admin[2]},
		{name: "header with trailing data is refused", want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), rawHeader(`{"alg":"RS256","kid":"KID"}{}`), adminPayload)},
		{name: "signed payload that is not JSON is refused", want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), mustJSON(t, ti.header()), []byte("not json"))},
		{name: "signed payload that is a JSON array is refused", want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), mustJSON(t, ti.header()), []byte(`[{"sub":"dev|admin-user"}]`))},
		{name: "leading space is refused", want: ErrInvalidToken, token: " " + strings.Join(admin, ".")},
		{name: "JSON serialization (flattened) is refused", want: ErrInvalidToken,
			token: `{"payload":"` + admin[1] + `","protected":"` + admin[0] + `","signature":"` + admin[2] + `"}`},
		{name: "JSON serialization (general) is refused", want: ErrInvalidToken,
			token: `{"payload":"` + admin[1] + `","signatures":[{"protected":"` + admin[0] + `","signature":"` + admin[2] + `"}]}`},

		// Header parameters that would let the token choose its own key.
		{name: "jku header is refused and never fetched", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["jku"] = trapURL + "/jwks.json" })},
		{name: "x5u header is refused and never fetched", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["x5u"] = trapURL + "/cert.pem" })},
		{name: "jwk header carrying the signer's own key is refused", want: ErrInvalidToken,
			token: forge(t, attacker, map[string]any{"alg": "RS256", "kid": kid, "jwk": attackerJWK}, ti.claims(t, "admin"))},
		{name: "x5c header is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["x5c"] = []string{b64(der)} })},
		{name: "crit header is refused even with a genuine signature", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["crit"] = []string{"exp"}; h["exp"] = now.Unix() })},
		{name: "b64 header is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["b64"] = false; h["crit"] = []string{"b64"} })},
		{name: "zip header is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["zip"] = "DEF" })},
		{name: `duplicate "alg" members (none, RS256) are refused`, want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), rawHeader(`{"alg":"none","alg":"RS256","kid":"KID"}`), adminPayload)},
		{name: `duplicate "alg" members (RS256, HS256) are refused`, want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), rawHeader(`{"alg":"RS256","kid":"KID","alg":"HS256"}`), adminPayload)},
		{name: `duplicate "alg" members hidden by a JSON escape are refused`, want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), rawHeader(`{"alg":"RS256","\u0061lg":"RS256","kid":"KID"}`), adminPayload)},
		{name: `duplicate "kid" members are refused`, want: ErrInvalidToken,
			token: signRaw(t, "RS256", issuerKey(), rawHeader(`{"alg":"RS256","kid":"other","kid":"KID"}`), adminPayload)},
		{name: "kid longer than 256 bytes is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["kid"] = strings.Repeat("k", jws.MaxKeyIDLength+1) })},
		{name: "token without kid is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { delete(h, "kid") })},
		{name: "numeric kid is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["kid"] = 1 })},
		{name: "typ JOSE is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["typ"] = "JOSE" })},
		{name: "typ dpop+jwt is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["typ"] = "dpop+jwt" })},
		{name: "numeric typ is refused", want: ErrInvalidToken,
			token: withHeader(func(h map[string]any) { h["typ"] = 1 })},

		// Authorization claims of the wrong type never grant or drop silently.
		{name: "roles claim that is a string is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c[DefaultRolesClaim] = "admin" })},
		{name: "roles claim that is a number is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c[DefaultRolesClaim] = 1 })},
		{name: "roles claim that is an object is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c[DefaultRolesClaim] = map[string]bool{"admin": true} })},
		{name: "roles claim holding numbers is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c[DefaultRolesClaim] = []int{1} })},
		{name: "roles claim holding null is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c[DefaultRolesClaim] = []any{nil} })},
		{name: "roles claim holding a role and null is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c[DefaultRolesClaim] = []any{"admin", nil} })},
		{name: "permissions claim holding null is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["permissions"] = []any{"read:admin", nil} })},
		{name: "scope claim of null inside a list is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["scope"] = []any{nil} })},
		{name: "scope claim that is a number is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["scope"] = 1 })},
		{name: "permissions claim that is a string is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["permissions"] = "read:admin" })},
		{name: "scope claim that is a list is refused", want: ErrInvalidToken,
			token: withClaims(func(c map[string]any) { c["scope"] = []string{"openid"} })},
	}
	return shapes
}

func TestVerifierTokenShapes(t *testing.T) {
	ti := newTestIssuer(t)
	trap := newTrapServer(t)
	ks, _ := ti.keySet(t)
	v := ti.verifier(t, ks)
	for _, tc := range tokenShapes(t, ti, trap.URL) {
		t.Run(tc.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tc.token)
			d := Describe(err)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if p.Subject != tc.subject || p.Issuer != ti.URL || p.KeyID != ti.KeyID() {
					t.Errorf("principal = sub %q iss %q kid %q, want sub %q iss %q kid %q", p.Subject, p.Issuer, p.KeyID, tc.subject, ti.URL, ti.KeyID())
				}
				for _, f := range []struct {
					name      string
					got, want []string
				}{{"roles", p.Roles, tc.roles}, {"permissions", p.Permissions, tc.permissions}, {"scopes", p.Scopes, tc.scopes}} {
					if f.got == nil || !slices.Equal(f.got, f.want) {
						t.Errorf("%s = %#v, want %#v", f.name, f.got, f.want)
					}
				}
				if until := time.Until(p.ExpiresAt); until > 11*time.Minute {
					t.Errorf("ExpiresAt %v is not the token's exp", p.ExpiresAt)
				}
				if d.Status != 200 {
					t.Errorf("Describe(nil).Status = %d", d.Status)
				}
				return
			}
			if p != nil {
				t.Fatalf("Verify returned a principal (%+v) with error %v", p, err)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %q wraps %s, want %q", err, sentinel(err), tc.want)
			}
			wantChallenge := challengeInvalid
			if tc.want == ErrIssuerNotAccepted {
				wantChallenge = challengeIssuer
				if strings.Contains(d.Challenge+d.Message, ti.URL) {
					t.Errorf("denial %q %q names the issuer this server expects", d.Challenge, d.Message)
				}
			} else if errors.Is(err, ErrIssuerNotAccepted) {
				t.Errorf("error %q blames the issuer of a token whose fault is elsewhere", err)
			}
			if tc.want == ErrTokenExpired {
				wantChallenge = challengeExpired
				if !strings.Contains(err.Error(), "expired") {
					t.Errorf("error %q does not say the token expired", err)
				}
			} else if errors.Is(err, ErrTokenExpired) {
				t.Errorf("error %q claims expiry for a token whose fault is elsewhere", err)
			}
			if d.Status != 401 || d.Code != "invalid_token" || d.Challenge != wantChallenge {
				t.Errorf("Describe = %d %q %q, want 401 invalid_token %q", d.Status, d.Code, d.Challenge, wantChallenge)
			}
			if len(tc.token) > 40 && strings.Contains(err.Error(), tc.token) {
				t.Errorf("error text holds the token; it would end up in the audit log")
			}
		})
	}
	if n := trap.hits.Load(); n != 0 {
		t.Errorf("a jku/x5u URL from a token header was fetched %d times", n)
	}
	if n := ti.offLoopback.Load(); n != 0 {
		t.Errorf("the key set tried to leave loopback %d times", n)
	}
}

func TestNewVerifierRefusesUnsafeConfig(t *testing.T) {
	keys := staticKeys{}
	tests := []struct {
		name string
		cfg  Config
		keys KeyResolver
	}{
		{"HS256 is refused: a shared secret cannot come from a JWKS", Config{Issuer: "https://i.example/", Audiences: []string{"a"}, Algorithm: "HS256"}, keys},
		{"unknown algorithm is refused", Config{Issuer: "https://i.example/", Audiences: []string{"a"}, Algorithm: "none"}, keys},
		{"missing issuer is refused", Config{Audiences: []string{"a"}}, keys},
		{"missing audience is refused", Config{Issuer: "https://i.example/"}, keys},
		{"missing key resolver is refused", Config{Issuer: "https://i.example/", Audiences: []string{"a"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := NewVerifier(tc.cfg, tc.keys); err == nil {
				t.Fatalf("NewVerifier(%+v) = %v, want an error", tc.cfg, v)
			}
		})
	}
}

func TestVerifierReadsRolesFromTheConfiguredClaim(t *testing.T) {
	ti := newTestIssuer(t)
	v, err := NewVerifier(Config{Issuer: ti.URL, Audiences: []string{testAudience}, RolesClaim: "roles"}, staticKeys{ti.KeyID(): &issuerKey().PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	c := ti.claims(t, "free")
	c["roles"] = []string{"paid"}
	c[DefaultRolesClaim] = []string{"admin"}
	p, err := v.Verify(context.Background(), ti.signClaims(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Roles, []string{"paid"}) {
		t.Errorf("roles = %v, want [paid] from the configured claim only", p.Roles)
	}
}

// strayBits respells seg with a low bit set that base64url leaves unused in
// its last character: lenient decoders read the same bytes.
func strayBits(t testing.TB, seg string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 < 2 {
		t.Fatalf("segment of length %d has no unused bits", len(seg))
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}
