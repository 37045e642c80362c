package onetime

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	key := testKey(t)
	pkcs8, err := key.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	sec1der, err := x509.MarshalECPrivateKey(key.private)
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384der, _ := x509.MarshalPKCS8PrivateKey(p384)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsader, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	pubder, _ := x509.MarshalPKIXPublicKey(&key.private.PublicKey)
	block := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"PKCS #8 P-256 key is read", pkcs8, true},
		{"SEC 1 P-256 key is read", block("EC PRIVATE KEY", sec1der), true},
		{"P-384 key is refused", block("PRIVATE KEY", p384der), false},
		{"RSA key is refused", block("PRIVATE KEY", rsader), false},
		{"public key is refused", block("PUBLIC KEY", pubder), false},
		{"corrupt key is refused", block("PRIVATE KEY", []byte("not DER")), false},
		{"text without PEM is refused", []byte("hunter2"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseKey(tc.data)
			if tc.ok != (err == nil) {
				t.Fatalf("ParseKey = %v", err)
			}
			if tc.ok && k.KeyID() != key.KeyID() {
				t.Fatalf("kid %s; want %s (the same key)", k.KeyID(), key.KeyID())
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %q echoes the input", err)
			}
		})
	}
}
