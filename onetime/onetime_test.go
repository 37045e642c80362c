package onetime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/replay"
)

func TestIssueFollowsTheGrants(t *testing.T) {
	now := t0
	i := testIssuer(t, testKey(t), &now)
	tests := []struct {
		name           string
		p              *auth.Principal
		target, action string
		want           error
	}{
		{"paid user may read reports", principal("paid"), TargetReports, ActionRead, nil},
		{"admin may read reports", principal("admin"), TargetReports, ActionRead, nil},
		{"admin may export reports", principal("admin"), TargetReports, ActionExport, nil},
		{"free user may not read reports", principal(), TargetReports, ActionRead, auth.ErrForbidden},
		{"paid user may not export reports", principal("paid"), TargetReports, ActionExport, auth.ErrForbidden},
		{"unknown target is an unknown grant", principal("admin"), "billing", ActionRead, ErrUnknownGrant},
		{"unknown action is an unknown grant", principal("admin"), TargetReports, "delete", ErrUnknownGrant},
		{"no caller is no token", nil, TargetReports, ActionRead, auth.ErrNoToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := i.Issue(tc.p, tc.target, tc.action)
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("Issue = %v; want %v", err, tc.want)
			}
			if tc.want == nil && (got.Token == "" || got.Target != tc.target || got.Action != tc.action) {
				t.Fatalf("Issue = %+v", got)
			}
		})
	}
}

func TestIssuedTokenIsTypedShortLivedAndUnique(t *testing.T) {
	now := t0
	key := testKey(t)
	i := testIssuer(t, key, &now)
	p := principal("paid")
	a, err := i.Issue(p, TargetReports, ActionRead)
	if err != nil {
		t.Fatal(err)
	}
	b, err := i.Issue(p, TargetReports, ActionRead)
	if err != nil {
		t.Fatal(err)
	}
	var hdr map[string]any
	decodeSegment(t, a.Token, 0, &hdr)
	if hdr["typ"] != Type || hdr["alg"] != "ES256" || hdr["kid"] != key.KeyID() || len(hdr) != 3 {
		t.Fatalf("header = %v; want exactly alg ES256, typ %s, kid", hdr, Type)
	}
	var ca, cb map[string]any
	decodeSegment(t, a.Token, 1, &ca)
	decodeSegment(t, b.Token, 1, &cb)
	if ca["jti"] == cb["jti"] || ca["jti"] == "" {
		t.Fatalf("jti %v and %v: want two distinct ids", ca["jti"], cb["jti"])
	}
	if aud, _ := ca["aud"].([]any); len(aud) != 1 || aud[0] != TargetReports || ca["action"] != ActionRead || ca["sub"] != p.Subject || ca["iss"] != DefaultIssuer {
		t.Fatalf("claims = %v", ca)
	}
	if life := ca["exp"].(float64) - ca["iat"].(float64); life != DefaultTTL.Seconds() {
		t.Fatalf("lifetime %vs; want %v", life, DefaultTTL.Seconds())
	}
	if !a.ExpiresAt.Equal(t0.Add(DefaultTTL)) {
		t.Fatalf("expires_at %v; want %v", a.ExpiresAt, t0.Add(DefaultTTL))
	}
}

func TestIssuerRefusesALifetimeOutsideItsBounds(t *testing.T) {
	for _, ttl := range []time.Duration{0, -time.Second, MaxTTL + time.Second} {
		if _, err := NewIssuer(testKey(t), DefaultGrants, WithTTL(ttl)); err == nil {
			t.Errorf("NewIssuer with TTL %s succeeded", ttl)
		}
	}
}

func TestVerify(t *testing.T) {
	key := testKey(t)
	other := testKey(t)
	userIssuer := newUserIssuer(t)
	userToken, err := userIssuer.Mint(devissuer.Personas[2], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	valid := forge(t, key, validHeader(key), validClaims())
	tampered := strings.Split(valid, ".")
	tampered[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + DefaultIssuer + `","sub":"user|1","aud":"reports","iat":1800000000,"exp":1800000060,"jti":"abc","action":"export"}`))

	tests := []struct {
		name   string
		token  string
		at     time.Time
		target string
		want   error
		reason string
	}{
		{"valid token verifies", valid, t0, TargetReports, nil, ""},
		{"token within the leeway after exp verifies", valid, t0.Add(time.Minute + DefaultLeeway), TargetReports, nil, ""},
		{"expired token is ErrTokenExpired", valid, t0.Add(time.Minute + DefaultLeeway + time.Second), TargetReports, auth.ErrTokenExpired, "expired"},
		{"token for another function is refused", valid, t0, "billing", auth.ErrInvalidToken, "audience"},
		{"token issued in the future is refused", valid, t0.Add(-time.Minute), TargetReports, auth.ErrInvalidToken, "claims"},
		{"user access token is refused", userToken, t0, TargetReports, auth.ErrInvalidToken, "algorithm"},
		{"token typed JWT, even signed by our key, is refused", forge(t, key, with(validHeader(key), "typ", "JWT"), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "typ"},
		{"token typed at+jwt is refused", forge(t, key, with(validHeader(key), "typ", "at+jwt"), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "typ"},
		{"untyped token is refused", forge(t, key, with(validHeader(key), "typ", nil), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "typ"},
		{"typ with the application/ prefix and another case verifies", forge(t, key, with(validHeader(key), "typ", "application/FNGUARD-OneTime+JWT"), validClaims()), t0, TargetReports, nil, ""},
		{"alg none is refused", unsigned(t, with(validHeader(key), "alg", "none"), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "algorithm"},
		{"HS256 header is refused before any key is used", forge(t, key, with(validHeader(key), "alg", "HS256"), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "algorithm"},
		{"tampered payload does not verify", strings.Join(tampered, "."), t0, TargetReports, auth.ErrInvalidToken, "signature"},
		{"another key under our kid does not verify", forge(t, other, validHeader(key), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "signature"},
		{"unknown kid is refused", forge(t, other, validHeader(other), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "unknown key"},
		{"embedded jwk header is refused", forge(t, key, with(validHeader(key), "jwk", map[string]any{"kty": "EC"}), validClaims()), t0, TargetReports, auth.ErrInvalidToken, "jwk"},
		{"another issuer is refused", forge(t, key, validHeader(key), with(validClaims(), "iss", "https://evil.test/")), t0, TargetReports, auth.ErrInvalidToken, "claims"},
		{"two audiences are refused", forge(t, key, validHeader(key), with(validClaims(), "aud", []string{TargetReports, "billing"})), t0, TargetReports, auth.ErrInvalidToken, "audience"},
		{"token without jti is refused", forge(t, key, validHeader(key), with(validClaims(), "jti", nil)), t0, TargetReports, auth.ErrInvalidToken, "jti"},
		{"token without exp is refused", forge(t, key, validHeader(key), with(validClaims(), "exp", nil)), t0, TargetReports, auth.ErrInvalidToken, "exp"},
		{"token without action is refused", forge(t, key, validHeader(key), with(validClaims(), "action", nil)), t0, TargetReports, auth.ErrInvalidToken, "action"},
		{"token with nbf near the int64 maximum is refused", forge(t, key, validHeader(key), with(validClaims(), "nbf", int64(math.MaxInt64-1024))), t0, TargetReports, auth.ErrInvalidToken, "range"},
		{"token with iat near the int64 maximum is refused", forge(t, key, validHeader(key), with(validClaims(), "iat", int64(math.MaxInt64-1024))), t0, TargetReports, auth.ErrInvalidToken, "range"},
		{"token with exp near the int64 maximum is refused", forge(t, key, validHeader(key), with(validClaims(), "exp", int64(math.MaxInt64-1024))), t0, TargetReports, auth.ErrInvalidToken, "range"},
		{"token with a negative iat is refused", forge(t, key, validHeader(key), with(validClaims(), "iat", -1)), t0, TargetReports, auth.ErrInvalidToken, "range"},
		{"token living longer than MaxTTL is refused", forge(t, key, validHeader(key), with(validClaims(), "exp", t0.Add(MaxTTL+time.Second).Unix())), t0, TargetReports, auth.ErrInvalidToken, "lifetime"},
		{"JSON serialization is refused", `{"payload":"e30","signatures":[]}`, t0, TargetReports, auth.ErrInvalidToken, "compact"},
		{"duplicate alg member is refused", forgeRaw(t, key, `{"alg":"ES256","alg":"none","typ":"`+Type+`","kid":"`+key.KeyID()+`"}`, validClaims()), t0, TargetReports, auth.ErrInvalidToken, "duplicate"},
		{"garbage is refused", "not.a.token", t0, TargetReports, auth.ErrInvalidToken, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.at
			v := testVerifier(t, tc.target, key, &now)
			c, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				if err != nil || c == nil {
					t.Fatalf("Verify = %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v; want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Verify = %q; want the reason to mention %q", err, tc.reason)
			}
		})
	}
}

func TestRedeem(t *testing.T) {
	ctx := context.Background()
	now := t0
	key := testKey(t)
	i := testIssuer(t, key, &now)
	newRedeemer := func(store replay.Store) *Redeemer {
		r, err := NewRedeemer(testVerifier(t, TargetReports, key, &now), store)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	issue := func(p *auth.Principal, action string) string {
		tok, err := i.Issue(p, TargetReports, action)
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}

	t.Run("a token is accepted once, then refused as used", func(t *testing.T) {
		r := newRedeemer(replay.NewMemory())
		tok := issue(principal("paid"), ActionRead)
		if _, err := r.Redeem(ctx, tok, ActionRead); err != nil {
			t.Fatalf("first Redeem = %v", err)
		}
		_, err := r.Redeem(ctx, tok, ActionRead)
		if !errors.Is(err, auth.ErrTokenUsed) || !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("second Redeem = %v; want ErrTokenUsed, an ErrInvalidToken", err)
		}
	})
	t.Run("a token for another action is forbidden and not consumed", func(t *testing.T) {
		r := newRedeemer(replay.NewMemory())
		tok := issue(principal("admin"), ActionRead)
		if _, err := r.Redeem(ctx, tok, ActionExport); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("Redeem for export = %v; want ErrForbidden", err)
		}
		if _, err := r.Redeem(ctx, tok, ActionRead); err != nil {
			t.Fatalf("Redeem for read after a refused export = %v; the token was consumed", err)
		}
	})
	t.Run("an unreachable store refuses the token as unavailable", func(t *testing.T) {
		r := newRedeemer(failingStore{})
		_, err := r.Redeem(ctx, issue(principal("paid"), ActionRead), ActionRead)
		if !errors.Is(err, auth.ErrUnavailable) || auth.Describe(err).Status != 503 {
			t.Fatalf("Redeem = %v; want ErrUnavailable (503)", err)
		}
	})
	t.Run("the replay record outlives the last moment the token verifies", func(t *testing.T) {
		m := replay.NewMemory(replay.WithClock(func() time.Time { return now }))
		r := newRedeemer(m)
		tok := issue(principal("paid"), ActionRead)
		if _, err := r.Redeem(ctx, tok, ActionRead); err != nil {
			t.Fatal(err)
		}
		defer func() { now = t0 }()
		now = t0.Add(DefaultTTL + DefaultLeeway) // the last second Verify accepts
		if _, err := r.Redeem(ctx, tok, ActionRead); !errors.Is(err, auth.ErrTokenUsed) || errors.Is(err, auth.ErrTokenExpired) {
			t.Fatalf("replay at the edge of the leeway = %v; want already used", err)
		}
	})
}

// The flagship's Verifier must refuse a single-use token even if it were
// configured to trust this service's key, issuer and audience: the typ
// header alone stops it. The control case (same token typed JWT) shows the
// typ is the only thing that does.
func TestFlagshipVerifierRefusesSingleUseTokens(t *testing.T) {
	key := testKey(t)
	v, err := auth.NewVerifier(auth.Config{
		Issuer: DefaultIssuer, Audiences: []string{TargetReports}, Algorithm: "ES256",
		ClockSkew: 100 * 365 * 24 * time.Hour, // the claims are pinned at t0
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Verify(ctx, forge(t, key, with(validHeader(key), "typ", "JWT"), validClaims())); err != nil {
		t.Fatalf("control: the same token typed JWT = %v; want accepted, or this test proves nothing", err)
	}
	now := time.Now()
	i := testIssuer(t, key, &now)
	issued, err := i.Issue(principal("admin"), TargetReports, ActionRead)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(ctx, issued.Token)
	if !errors.Is(err, auth.ErrInvalidToken) || !strings.Contains(err.Error(), "typ") {
		t.Fatalf("flagship Verify(single-use token) = %v; want ErrInvalidToken for its typ", err)
	}
}

func decodeSegment(t *testing.T, token string, i int, v any) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

func unsigned(t *testing.T, header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + ".AAAA"
}

func forgeRaw(t *testing.T, key *Key, header string, claims map[string]any) string {
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(c)
	return input + "." + signES256(t, key.private, input)
}

func newUserIssuer(t *testing.T) *devissuer.Issuer {
	t.Helper()
	key, err := devissuer.LoadOrCreateKey(t.TempDir() + "/user-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	return devissuer.New("https://issuer.test/", key, "https://api.test", auth.DefaultRolesClaim)
}
