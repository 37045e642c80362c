package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// web/vendor.sh records the tarball integrity it copied from (the one
// package-lock.json pins and npm ci checked) and the sha256 of every file
// it copied. A copy edited by hand, or a lockfile bumped without running
// vendor.sh, fails here.
func TestVendoredFilesAreWhatTheLockfilePins(t *testing.T) {
	var record struct {
		Package   string            `json:"package"`
		Version   string            `json:"version"`
		Integrity string            `json:"integrity"`
		Files     map[string]string `json:"files"`
	}
	var lock struct {
		Packages map[string]struct {
			Version   string `json:"version"`
			Integrity string `json:"integrity"`
		} `json:"packages"`
	}
	for path, v := range map[string]any{"vendor.json": &record, "package-lock.json": &lock} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	locked := lock.Packages["node_modules/"+record.Package]
	if record.Version != locked.Version || record.Integrity != locked.Integrity || locked.Integrity == "" {
		t.Errorf("vendor.json records %s %s (%s), package-lock.json pins %s (%s): run web/vendor.sh",
			record.Package, record.Version, record.Integrity, locked.Version, locked.Integrity)
	}
	entries, err := os.ReadDir("public/vendor")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(record.Files) {
		t.Errorf("public/vendor holds %d files, vendor.json records %d", len(entries), len(record.Files))
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("public/vendor", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got, want := "sha256-"+base64.StdEncoding.EncodeToString(sum[:]), record.Files[e.Name()]; got != want {
			t.Errorf("%s has %s, vendor.json records %q: run web/vendor.sh", e.Name(), got, want)
		}
	}
}
