package onetime

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/auth"
)

// Algorithm is the only algorithm single-use tokens are signed and
// verified with.
const Algorithm = "ES256"

// Key is the service's signing key. It is also an auth.KeyResolver for its
// own public half, so a function in the same process verifies tokens
// without fetching the JWKS.
type Key struct {
	private *ecdsa.PrivateKey
	kid     string
}

// GenerateKey returns a new P-256 key, for development: tokens signed with
// it stop verifying when the process exits, which for one-minute tokens is
// harmless.
func GenerateKey() (*Key, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return newKey(priv)
}

// ParseKey reads a PEM ECDSA P-256 private key, PKCS #8 ("PRIVATE KEY", as
// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` writes)
// or SEC 1 ("EC PRIVATE KEY").
func ParseKey(data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	var priv any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		priv, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q: want PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, errors.New("PEM block is not a valid private key")
	}
	ec, ok := priv.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("want an ECDSA P-256 key (ES256)")
	}
	return newKey(ec)
}

// MarshalPEM encodes the private key as PKCS #8 PEM, the form ParseKey and
// ONETIME_SIGNING_KEY take.
func (k *Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func newKey(priv *ecdsa.PrivateKey) (*Key, error) {
	tp, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("key thumbprint: %w", err)
	}
	return &Key{private: priv, kid: base64.RawURLEncoding.EncodeToString(tp)}, nil
}

// KeyID is the RFC 7638 thumbprint of the public key, used as its kid.
func (k *Key) KeyID() string { return k.kid }

// JWKS is the public key set to publish.
func (k *Key) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &k.private.PublicKey, KeyID: k.kid, Algorithm: Algorithm, Use: "sig",
	}}}
}

// Key implements auth.KeyResolver for the public half of k.
func (k *Key) Key(_ context.Context, kid, alg string) (crypto.PublicKey, error) {
	if kid != k.kid || alg != Algorithm {
		return nil, &auth.Error{Err: auth.ErrInvalidToken, Reason: "unknown key id", KeyID: kid}
	}
	return &k.private.PublicKey, nil
}
