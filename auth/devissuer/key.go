package devissuer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateKey reads the PEM (PKCS #8) RSA key at path, creating a new
// 2048-bit key there (mode 0600) if there is none. Keeping the key on disk
// lets `go run . token` in one terminal sign tokens that the server in
// another accepts, and keeps tokens valid across restarts.
func LoadOrCreateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return parseKey(data, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read dev key: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate dev key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode dev key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create dev key dir: %w", err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	// Write a temporary file, then link it into place: the link fails if
	// another process got there first (then we use its key), and nobody
	// ever reads a half-written key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dev-key-*")
	if err != nil {
		return nil, fmt.Errorf("write dev key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pemBytes); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write dev key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write dev key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Read once, not recurse: a path that exists but cannot be
			// read (a dangling symlink) would otherwise loop forever,
			// generating a key each time round.
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("read dev key: %w", err)
			}
			return parseKey(data, path)
		}
		return nil, fmt.Errorf("write dev key: %w", err)
	}
	return key, nil
}

func parseKey(data []byte, path string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("dev key %s: no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("dev key %s: %w", path, err)
	}
	rsaKey, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("dev key %s: not an RSA key", path)
	}
	return rsaKey, nil
}
