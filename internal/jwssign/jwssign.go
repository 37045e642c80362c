// Package jwssign mints compact JWS tokens from raw header and claims maps:
// the development issuer signs with it, and tests use it to forge tokens
// whose header lies. It is internal so that no consumer of package auth
// mistakes it for a way to issue production tokens.
package jwssign

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Sign produces a compact JWS of claims under header, signed with key using
// RS256 (PKCS #1 v1.5, SHA-256) whatever header says: tests use it to forge
// tokens whose header lies.
func Sign(key *rsa.PrivateKey, header, claims map[string]any) (string, error) {
	signingInput, err := SigningInput(header, claims)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// SigningInput is base64url(header) "." base64url(claims).
func SigningInput(header, claims map[string]any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("encode header: %w", err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c), nil
}
