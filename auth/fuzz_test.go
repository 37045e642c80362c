package auth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth/devissuer"
)

// fuzzIssuer is the issuer of the FuzzVerify corpus: fixed, so that the
// tokens in testdata/fuzz/FuzzVerify stay meaningful. Nothing is served
// there; the fuzzed verifier resolves keys from memory.
const fuzzIssuer = "https://issuer.fnguard.test/"

func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{
		"", " ", "Bearer", "Bearer ", "bearer " + sampleJWT, "BEARER  " + sampleJWT + " ",
		"Basic dXNlcjpwYXNz", "Bearer a b", "Bearer abc==", "Bearer ===", "Bearer a=b",
		"Bearer\t" + sampleJWT, "Bearer " + sampleJWT + "\x00", "Bearer é", `Bearer {"payload":"x"}`,
		"Bearer " + strings.Repeat("A", maxTokenSize), "Bearer " + strings.Repeat("A", maxTokenSize+1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		token, err := BearerToken(http.Header{"Authorization": {value}})
		if err != nil {
			if token != "" {
				t.Fatalf("token %q returned with error %v", token, err)
			}
			noToken, invalid := errors.Is(err, ErrNoToken), errors.Is(err, ErrInvalidToken)
			if noToken == invalid {
				t.Fatalf("error %v wraps %s, want exactly one of ErrNoToken and ErrInvalidToken", err, sentinel(err))
			}
			return
		}
		if token == "" || len(token) > maxTokenSize {
			t.Fatalf("accepted a token of %d bytes", len(token))
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(value)), "bearer ") || !strings.HasSuffix(strings.TrimSpace(value), token) {
			t.Fatalf("token %q is not what follows the Bearer scheme in %q", token, value)
		}
		body := strings.TrimRight(token, "=")
		if body == "" || strings.ContainsFunc(body, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~+/", r))
		}) {
			t.Fatalf("accepted %q, which is not token68", token)
		}
		if _, err := BearerToken(http.Header{"Authorization": {value, value}}); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("the same header twice = %v, want ErrInvalidToken", err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	ti := &testIssuer{Issuer: devissuer.New(fuzzIssuer, issuerKey(), testAudience, DefaultRolesClaim)}
	// The issuer's key is the only one: any Principal must carry its signature.
	v := ti.verifier(f, staticKeys{ti.KeyID(): &issuerKey().PublicKey})
	for _, s := range tokenShapes(f, ti, "http://127.0.0.1:1/trap") {
		f.Add(s.token)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(context.Background(), token)
		if err != nil {
			var e *Error
			if p != nil || !errors.Is(err, ErrInvalidToken) || !errors.As(err, &e) {
				t.Fatalf("Verify = %v, %v (%s); want no principal and an *Error wrapping ErrInvalidToken", p, err, sentinel(err))
			}
			if d := Describe(err); d.Status != http.StatusUnauthorized {
				t.Fatalf("Describe(%v).Status = %d", err, d.Status)
			}
			return
		}
		if !signedByIssuer(token) {
			t.Fatalf("Verify accepted a token the issuer key did not sign: %q", token)
		}
		if p.Subject == "" || p.Issuer != fuzzIssuer || time.Until(p.ExpiresAt) < -testSkew {
			t.Fatalf("Verify accepted a token with sub %q, iss %q, exp %v", p.Subject, p.Issuer, p.ExpiresAt)
		}
		if p.Roles == nil || p.Permissions == nil || p.Scopes == nil {
			t.Fatalf("principal with nil lists: %+v", p)
		}
	})
}

// signedByIssuer checks token as a compact RS256 JWS under the issuer's key,
// with crypto/rsa alone, so a flaw in the verifier's libraries cannot hide.
// Each segment must be the one canonical spelling of its bytes: a verifier
// accepting respellings would let one token pass as many.
func signedByIssuer(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	decoded := make([][]byte, 3)
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != p {
			return false
		}
		decoded[i] = b
	}
	var header map[string]any
	if json.Unmarshal(decoded[0], &header) != nil || header["alg"] != "RS256" {
		return false
	}
	sig := decoded[2]
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(&issuerKey().PublicKey, crypto.SHA256, sum[:], sig) == nil
}
