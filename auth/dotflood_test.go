package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/fnguard/fnguard/internal/memtest"
)

// maxFloodBytes bounds what refusing one flooded token may allocate. go-jose
// v2 would spend 16 MiB on the split of a million dots alone.
const maxFloodBytes = 64 << 10

// Every verifier refuses a token crafted for CVE-2025-27144 (go-jose v2's
// split on every '.') before go-jose sees it: our header check counts the
// dots and caps the size first.
func TestVerifiersRefuseDotFloodsInBoundedMemory(t *testing.T) {
	ti := newTestIssuer(t)
	access := ti.verifier(t, staticKeys{ti.KeyID(): &issuerKey().PublicKey})
	secret := []byte("0123456789abcdef0123456789abcdef")
	netlify, err := NewNetlify(NetlifyConfig{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	verifiers := []struct {
		name   string
		valid  string
		verify func(string) error
	}{
		{"access token verifier", ti.mint(t, "admin"), func(tok string) error {
			_, err := access.Verify(context.Background(), tok)
			return err
		}},
		{"Netlify Identity verifier", hs256(secret, `{"alg":"HS256","typ":"JWT"}`, `{"sub":"u","exp":4102444800}`), func(tok string) error {
			_, err := netlify.VerifyToken(context.Background(), tok)
			return err
		}},
	}
	for _, v := range verifiers {
		if err := v.verify(v.valid); err != nil {
			t.Fatalf("%s refuses its valid token: %v", v.name, err)
		}
		for _, tc := range memtest.DotFlood(v.valid) {
			t.Run(v.name+" refuses "+tc.Name+" in bounded memory", func(t *testing.T) {
				if err := v.verify(tc.Token); !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("err = %v, want ErrInvalidToken", err)
				}
				allocs, bytes := memtest.PerRun(5, func() { _ = v.verify(tc.Token) })
				if bytes > maxFloodBytes || allocs > 100 {
					t.Errorf("refusing it allocated %d bytes in %d allocations, want at most %d bytes and 100", bytes, allocs, maxFloodBytes)
				}
			})
		}
	}
}

func hs256(secret []byte, header, claims string) string {
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
