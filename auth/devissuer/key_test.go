package devissuer_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fnguard/fnguard/auth/devissuer"
)

func TestLoadOrCreateKeyCreatesAPrivateFileAndReloadsIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "fnguard")
	path := filepath.Join(dir, "dev-key.pem")

	created, err := devissuer.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if created.N.BitLen() != 2048 {
		t.Errorf("key of %d bits, want 2048", created.N.BitLen())
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{path, 0o600}, {dir, 0o700}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.mode {
			t.Errorf("%s has mode %o, want %o", c.path, got, c.mode)
		}
	}

	reloaded, err := devissuer.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reloaded.Equal(created) {
		t.Error("the second call made a new key instead of loading the first")
	}
}

func TestLoadOrCreateKeyConcurrentCallersEndWithOneKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dev-key.pem")
	const n = 4
	keys := make([]any, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, err := devissuer.LoadOrCreateKey(path)
			keys[i], errs[i] = k, err
		})
	}
	wg.Wait()
	onDisk, err := devissuer.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !onDisk.Equal(keys[i]) {
			t.Errorf("caller %d got a key other than the one on disk", i)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		t.Errorf("directory holds %v, want only dev-key.pem (no temporary files left)", names)
	}
}

func TestLoadOrCreateKeyFailsOnADanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dev-key.pem")
	if err := os.Symlink(filepath.Join(dir, "moved", "dev-key.pem"), path); err != nil {
		t.Fatal(err)
	}
	if k, err := devissuer.LoadOrCreateKey(path); err == nil {
		t.Fatalf("LoadOrCreateKey through a dangling symlink = %v, want an error", k != nil)
	}
}

func TestLoadOrCreateKeyRefusesAndKeepsABadFile(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		contents []byte
		want     string
	}{
		{"a file without PEM is refused", []byte("not a key\n"), "no PEM block"},
		{"a PEM block that is not PKCS #8 is refused", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("garbage")}), "dev-key.pem"},
		{"an EC key is refused", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}), "not an RSA key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dev-key.pem")
			if err := os.WriteFile(path, tc.contents, 0o600); err != nil {
				t.Fatal(err)
			}
			if k, err := devissuer.LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadOrCreateKey = %v, %v; want an error mentioning %q", k != nil, err, tc.want)
			}
			// Replacing it would silently invalidate every token signed so far.
			got, err := os.ReadFile(path)
			if err != nil || string(got) != string(tc.contents) {
				t.Errorf("the bad key file was changed")
			}
		})
	}
}
