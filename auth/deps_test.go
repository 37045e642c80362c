package auth_test

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A consumer that imports auth, or the Lambda adapter strategies/guard,
// gets nothing else of this module but internal/ (no router, no logger,
// and so not chi).
func TestLibraryImportsNothingOfTheModuleButInternal(t *testing.T) {
	const module = "github.com/fnguard/fnguard"
	allowed := []string{module + "/auth", module + "/strategies/guard", module + "/internal/"}
	for _, pkg := range []string{module + "/auth", module + "/strategies/guard"} {
		t.Run(pkg+" imports only itself and internal packages", func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				if dep == "github.com/go-chi/chi/v5" {
					t.Errorf("%s pulls in chi", pkg)
				}
				if !strings.HasPrefix(dep, module+"/") {
					continue
				}
				ok := false
				for _, a := range allowed {
					ok = ok || dep == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a))
				}
				if !ok {
					t.Errorf("%s imports %s", pkg, dep)
				}
			}
		})
	}
}

// go-jose v2 is end of life, and go-jwt-middleware v2 depends on it. Each
// verifier calls them from one file, behind our own checks (internal/jws:
// size cap, dot count, algorithm pinned before parsing), so moving to
// go-jwt-middleware v3 and go-jose v4 stays a change to these files.
func TestJOSELibrariesAreCalledFromOneFilePerVerifier(t *testing.T) {
	allowed := map[string][]string{
		".":             {"verifier.go", "netlify.go", "keyset.go"}, // access tokens, Netlify Identity, the JWKS
		"../onetime":    {"verifier.go", "issuer.go", "key.go"},     // single-use tokens: verify, sign, publish
		"devissuer":     {"devissuer.go"},
		"../netlifydev": {"identitytoken.go"},
	}
	for dir, files := range allowed {
		t.Run(dir+" calls go-jose only from "+strings.Join(files, ", "), func(t *testing.T) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				name := e.Name()
				if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || slices.Contains(files, name) {
					continue
				}
				f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
				if err != nil {
					t.Fatal(err)
				}
				for _, imp := range f.Imports {
					if p := strings.Trim(imp.Path.Value, `"`); strings.Contains(p, "go-jose") || strings.Contains(p, "go-jwt-middleware") {
						t.Errorf("%s/%s imports %s", dir, name, p)
					}
				}
			}
		})
	}
}
