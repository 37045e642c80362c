package netlifydev_test

import (
	"os"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/netlifydev"
)

// FuzzParse: whatever netlify.toml holds, Parse returns rules or an error,
// never panics, and every rule it returns is one the proxy can apply.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(netlifyTOML); err == nil {
		f.Add(string(data), "/admin-only/x")
	}
	f.Add("[[redirects]]\nfrom = \"/x/*\"\nto = \"/.netlify/functions/x/:splat\"\nstatus = 200\nconditions = {Role = [\"a\"]}\n", "/x")
	f.Add("[[redirects]]\nfrom = \"/x\"\nto = \"/401.html\"\nstatus = 401\n[[redirects]]\nfrom = \"/x\"\nto = \"/y\"\nconditions = {Role = [\"a\"]}\n", "/x/")
	f.Add("[dev]\njwtSecret = 1", "/")
	f.Fuzz(func(t *testing.T, data, path string) {
		_, rules, err := netlifydev.Parse([]byte(data))
		if err != nil {
			return
		}
		for _, r := range rules {
			if !strings.HasPrefix(r.From, "/") {
				t.Fatalf("rule from %q accepted", r.From)
			}
			if r.Status == 200 && r.Function == "" {
				t.Fatalf("rewrite rule %+v without a function", r)
			}
			_ = r.Matches(path)
		}
	})
}
