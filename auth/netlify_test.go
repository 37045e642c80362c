package auth_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/netlifyctx"
)

var (
	testSecret = []byte("a-netlify-identity-secret-of-32+bytes")
	testNow    = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
)

// hs256 signs claims under header with secret, whatever header claims the
// algorithm is: tests use it to forge confused tokens.
func hs256(t testing.TB, secret []byte, header, claims map[string]any) string {
	t.Helper()
	input := signingInput(t, header, claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func identityClaims(sub string, roles ...string) map[string]any {
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{
		"sub":           sub,
		"email":         sub + "@example.com",
		"exp":           testNow.Add(time.Hour).Unix(),
		"iat":           testNow.Add(-time.Minute).Unix(),
		"app_metadata":  map[string]any{"provider": "email", "roles": roles},
		"user_metadata": map[string]any{},
	}
}

func with(claims map[string]any, key string, value any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	if value == nil {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

var hsHeader = map[string]any{"alg": "HS256", "typ": "JWT"}

func newNetlify(t testing.TB, cfg auth.NetlifyConfig) *auth.Netlify {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	n, err := auth.NewNetlify(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNetlifyVerifyToken(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	admin := identityClaims("netlify|admin", "admin")

	tests := []struct {
		name      string
		token     string
		rolesPath string
		wantErr   error
		wantRoles []string
	}{
		{name: "valid admin token is accepted with its roles", token: hs256(t, testSecret, hsHeader, admin), wantRoles: []string{"admin"}},
		{name: "token without typ is accepted", token: hs256(t, testSecret, map[string]any{"alg": "HS256"}, admin), wantRoles: []string{"admin"}},
		{name: "token without roles has none", token: hs256(t, testSecret, hsHeader, with(admin, "app_metadata", nil)), wantRoles: []string{}},
		{name: "roles at a configured top-level path are read", rolesPath: "roles", token: hs256(t, testSecret, hsHeader, with(admin, "roles", []string{"admin", "paid"})), wantRoles: []string{"admin", "paid"}},
		{name: "a configured path that is absent means no roles", rolesPath: "roles", token: hs256(t, testSecret, hsHeader, admin), wantRoles: []string{}},
		{name: "roles at a nested configured path are read", rolesPath: "user_metadata.roles", token: hs256(t, testSecret, hsHeader, with(admin, "user_metadata", map[string]any{"roles": []string{"paid"}})), wantRoles: []string{"paid"}},
		{name: "token signed with another secret is invalid", token: hs256(t, []byte("another-secret-that-is-long-enough!!"), hsHeader, admin), wantErr: auth.ErrInvalidToken},
		{name: "expired token is expired", token: hs256(t, testSecret, hsHeader, with(admin, "exp", testNow.Add(-time.Minute).Unix())), wantErr: auth.ErrTokenExpired},
		{name: "token without exp is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "exp", nil)), wantErr: auth.ErrInvalidToken},
		{name: "token with a string exp is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "exp", "tomorrow")), wantErr: auth.ErrInvalidToken},
		{name: "token with a huge exp is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "exp", 1e300)), wantErr: auth.ErrInvalidToken},
		{name: "token with nbf near the int64 maximum is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "nbf", int64(math.MaxInt64-1024))), wantErr: auth.ErrInvalidToken},
		{name: "token with iat near the int64 maximum is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "iat", int64(math.MaxInt64-1024))), wantErr: auth.ErrInvalidToken},
		{name: "roles holding null make the token invalid", token: hs256(t, testSecret, hsHeader, with(admin, "app_metadata", map[string]any{"roles": []any{"paid", nil}})), wantErr: auth.ErrInvalidToken},
		{name: "token not valid yet is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "nbf", testNow.Add(time.Hour).Unix())), wantErr: auth.ErrInvalidToken},
		{name: "token issued in the future is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "iat", testNow.Add(time.Hour).Unix())), wantErr: auth.ErrInvalidToken},
		{name: "token without sub is invalid", token: hs256(t, testSecret, hsHeader, with(admin, "sub", nil)), wantErr: auth.ErrInvalidToken},
		{name: "roles that are not a list of strings make the token invalid", token: hs256(t, testSecret, hsHeader, with(admin, "app_metadata", map[string]any{"roles": "admin"})), wantErr: auth.ErrInvalidToken},
		{name: "app_metadata that is not an object makes the token invalid", token: hs256(t, testSecret, hsHeader, with(admin, "app_metadata", []string{"admin"})), wantErr: auth.ErrInvalidToken},
		{name: "RS256 header over an HMAC with the secret is refused", token: hs256(t, testSecret, map[string]any{"alg": "RS256", "typ": "JWT"}, admin), wantErr: auth.ErrInvalidToken},
		{name: "HS384 header is refused", token: hs256(t, testSecret, map[string]any{"alg": "HS384"}, admin), wantErr: auth.ErrInvalidToken},
		{name: "lower-case hs256 header is refused", token: hs256(t, testSecret, map[string]any{"alg": "hs256"}, admin), wantErr: auth.ErrInvalidToken},
		{name: "alg none is refused", token: noneToken(t, admin), wantErr: auth.ErrInvalidToken},
		{name: "a real RS256 token is refused", token: rs256(t, rsaKey, admin), wantErr: auth.ErrInvalidToken},
		{name: "HS256 keyed with an RSA public key is refused", token: hs256(t, pubPEM, hsHeader, admin), wantErr: auth.ErrInvalidToken},
		{name: "jku header is refused", token: hs256(t, testSecret, map[string]any{"alg": "HS256", "jku": "https://evil.example/jwks"}, admin), wantErr: auth.ErrInvalidToken},
		{name: "typ other than JWT is refused", token: hs256(t, testSecret, map[string]any{"alg": "HS256", "typ": "JWE"}, admin), wantErr: auth.ErrInvalidToken},
		{name: "duplicate alg members are refused", token: rawHeaderToken(t, `{"alg":"HS256","alg":"none"}`, admin), wantErr: auth.ErrInvalidToken},
		{name: "duplicate sub claims are refused", token: rawClaimsToken(t, `{"sub":"a","sub":"b","exp":9999999999}`), wantErr: auth.ErrInvalidToken},
		{name: "JSON serialization is refused", token: `{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"AAAA"}`, wantErr: auth.ErrInvalidToken},
		{name: "padded segments are refused", token: hs256(t, testSecret, hsHeader, admin) + "=", wantErr: auth.ErrInvalidToken},
		{name: "two segments are refused", token: "eyJhbGciOiJIUzI1NiJ9.e30", wantErr: auth.ErrInvalidToken},
		{name: "oversized token is refused", token: strings.Repeat("a", 16<<10+1), wantErr: auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNetlify(t, auth.NetlifyConfig{Secret: testSecret, RolesPath: tt.rolesPath, ClockSkew: 30 * time.Second})
			p, err := n.VerifyToken(context.Background(), tt.token)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if p != nil {
					t.Fatalf("got a principal with an error: %+v", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if p.Subject != "netlify|admin" || !slices.Equal(p.Roles, tt.wantRoles) {
				t.Fatalf("principal = %+v, want sub netlify|admin roles %v", p, tt.wantRoles)
			}
			if !p.ExpiresAt.Equal(testNow.Add(time.Hour)) {
				t.Fatalf("expires at %v", p.ExpiresAt)
			}
		})
	}
}

func TestNetlifyVerifyTokenAllowsClockSkew(t *testing.T) {
	n := newNetlify(t, auth.NetlifyConfig{Secret: testSecret, ClockSkew: time.Minute})
	tok := hs256(t, testSecret, hsHeader, with(identityClaims("u"), "exp", testNow.Add(-30*time.Second).Unix()))
	if _, err := n.VerifyToken(context.Background(), tok); err != nil {
		t.Fatalf("token expired 30s ago with 1m skew: %v", err)
	}
}

func signingInput(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
}

func noneToken(t testing.TB, claims map[string]any) string {
	return signingInput(t, map[string]any{"alg": "none"}, claims) + "."
}

func rs256(t testing.TB, key *rsa.PrivateKey, claims map[string]any) string {
	input := signingInput(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": "k1"}, claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func rawHeaderToken(t testing.TB, header string, claims map[string]any) string {
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(c)
	mac := hmac.New(sha256.New, testSecret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func rawClaimsToken(t testing.TB, claims string) string {
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, testSecret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// netlifyContext encodes a client context as Netlify does.
func netlifyContext(t testing.TB, user map[string]any) string {
	t.Helper()
	v := map[string]any{"identity": map[string]any{"url": "https://site.netlify.app/.netlify/identity", "token": "admin-token-not-the-user's"}}
	if user != nil {
		v["user"] = user
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestNetlifyAuthenticate(t *testing.T) {
	admin := identityClaims("netlify|admin", "admin")
	paid := identityClaims("netlify|paid", "paid")
	adminToken := hs256(t, testSecret, hsHeader, admin)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

	tests := []struct {
		name    string
		cfg     auth.NetlifyConfig
		req     auth.Request
		wantSub string
		wantErr error
	}{
		{name: "verified bearer token with a matching context is the caller",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: bearer(adminToken), NetlifyContext: netlifyContext(t, admin)}, wantSub: "netlify|admin"},
		{name: "verified bearer token without a context is the caller",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: bearer(adminToken)}, wantSub: "netlify|admin"},
		{name: "verified nf_jwt cookie is the caller",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: http.Header{"Cookie": {"theme=dark; nf_jwt=" + adminToken}}}, wantSub: "netlify|admin"},
		{name: "two nf_jwt cookies are invalid",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: http.Header{"Cookie": {"nf_jwt=" + adminToken, "nf_jwt=" + adminToken}}}, wantErr: auth.ErrInvalidToken},
		{name: "a context user whose token is not sent is no token when a secret is set",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{NetlifyContext: netlifyContext(t, admin)}, wantErr: auth.ErrNoToken},
		{name: "a context user who is not the token's subject is invalid",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: bearer(hs256(t, testSecret, hsHeader, paid)), NetlifyContext: netlifyContext(t, admin)}, wantErr: auth.ErrInvalidToken},
		{name: "a context forged by netlify dev from an unsigned token is invalid when a secret is set",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: bearer(noneToken(t, admin)), NetlifyContext: netlifyContext(t, admin)}, wantErr: auth.ErrInvalidToken},
		{name: "a malformed context is invalid",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: bearer(adminToken), NetlifyContext: "not base64!"}, wantErr: auth.ErrInvalidToken},
		{name: "no token at all is no token",
			cfg: auth.NetlifyConfig{Secret: testSecret},
			req: auth.Request{Header: http.Header{}}, wantErr: auth.ErrNoToken},
		{name: "development trusts the context user",
			cfg: auth.NetlifyConfig{TrustUnverifiedContext: true},
			req: auth.Request{NetlifyContext: netlifyContext(t, paid)}, wantSub: "netlify|paid"},
		{name: "development without a context user is no token",
			cfg: auth.NetlifyConfig{TrustUnverifiedContext: true},
			req: auth.Request{Header: bearer(adminToken), NetlifyContext: netlifyContext(t, nil)}, wantErr: auth.ErrNoToken},
		{name: "development refuses an expired context user",
			cfg: auth.NetlifyConfig{TrustUnverifiedContext: true},
			req: auth.Request{NetlifyContext: netlifyContext(t, with(paid, "exp", testNow.Add(-time.Hour).Unix()))}, wantErr: auth.ErrTokenExpired},
		{name: "development with a secret still verifies",
			cfg: auth.NetlifyConfig{Secret: testSecret, TrustUnverifiedContext: true},
			req: auth.Request{NetlifyContext: netlifyContext(t, admin)}, wantErr: auth.ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNetlify(t, tt.cfg)
			p, err := n.Authenticate(context.Background(), tt.req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || p != nil {
					t.Fatalf("got %+v, %v; want error %v", p, err, tt.wantErr)
				}
				return
			}
			if err != nil || p.Subject != tt.wantSub {
				t.Fatalf("got %+v, %v; want subject %s", p, err, tt.wantSub)
			}
		})
	}
}

func TestNewNetlifyRefusesUnsafeConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  auth.NetlifyConfig
		want string
	}{
		{"no secret outside development is refused", auth.NetlifyConfig{}, "refusing to trust the client context unverified"},
		{"a short secret is refused", auth.NetlifyConfig{Secret: []byte("short")}, "needs at least 32"},
		{"a roles path with an empty segment is refused", auth.NetlifyConfig{Secret: testSecret, RolesPath: "app_metadata..roles"}, "empty segment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.NewNetlify(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func FuzzParseNetlifyContext(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"identity":{"url":"https://x","token":"t"},"user":{"sub":"u","exp":9999999999,"app_metadata":{"roles":["admin"]}}}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"user":{"sub":"u","exp":1e308,"nbf":-1}}`)))
	f.Add("e30")
	f.Add("")
	n, err := auth.NewNetlify(auth.NetlifyConfig{TrustUnverifiedContext: true, Now: func() time.Time { return testNow }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nc, err := netlifyctx.Parse(s)
		if err != nil && nc.User != nil {
			t.Fatal("a refused context has a user")
		}
		p, err := n.Authenticate(context.Background(), auth.Request{NetlifyContext: s})
		if (p == nil) == (err == nil) {
			t.Fatalf("principal %+v with error %v", p, err)
		}
		if err != nil && auth.Describe(err).Status != http.StatusUnauthorized {
			t.Fatalf("error %v is not a 401", err)
		}
		if p != nil && (p.Subject == "" || p.Roles == nil || !p.ExpiresAt.After(testNow.Add(-time.Second))) {
			t.Fatalf("accepted principal %+v", p)
		}
	})
}

func TestRequestCookie(t *testing.T) {
	r := auth.Request{Header: http.Header{"Cookie": {"a=1; nf_jwt=tok"}}}
	if v, err := r.Cookie("nf_jwt"); err != nil || v != "tok" {
		t.Fatalf("Cookie = %q, %v", v, err)
	}
	if _, err := r.Cookie("missing"); !errors.Is(err, auth.ErrNoToken) {
		t.Fatalf("missing cookie: %v", err)
	}
}
