package auth_test

import (
	"os/exec"
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
