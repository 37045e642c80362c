package config_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// envRead matches the ways the code reads a variable: getenv("X") and the
// helpers that take getenv and a name.
var envRead = regexp.MustCompile(`getenv(?:\("|, ")([A-Z][A-Z0-9_]+)"`)

// The README's configuration table is where --help sends people: every
// variable the programs read must be in it.
func TestTheREADMEListsEveryVariableTheCodeReads(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "\n## Configuration\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Configuration" section`)
	}
	section := string(readme)[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	read := map[string]string{}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != ".."):
			return filepath.SkipDir
		// Test tooling reads its own variables (CI, E2E_ARTIFACTS...).
		case d.IsDir() && (path == "../internal" || path == "../e2e" || path == "../bench" || path == "../loadtest"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range envRead.FindAllStringSubmatch(string(src), -1) {
			read[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(read) < 20 {
		t.Fatalf("found only %d variables read; the pattern no longer matches the code: %v", len(read), read)
	}
	for name, path := range read {
		if !regexp.MustCompile("(?m)^\\| [^\\n]*`" + name + "`").MatchString(section) {
			t.Errorf("%s reads %s, which README.md's configuration table does not list", path, name)
		}
	}
}
