package netlifydev

// The role-based redirect rules that Netlify's proxy applies in production
// are read from netlify.toml itself, so what a developer sees locally is
// what Netlify will do, and there is no second copy of them to drift.
//
// Only the role rules are enforced here: every [[redirects]] rule with a
// Role condition, and the rules sharing its "from" (its fallbacks). The
// other rules (the /api/* rewrite) describe routes the local server already
// serves natively.

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/BurntSushi/toml"
)

// File is what we read of netlify.toml.
type File struct {
	Redirects []Redirect `toml:"redirects"`
	Dev       Dev        `toml:"dev"`
	// Headers are the [[headers]] Netlify adds to the files it serves.
	Headers []HeaderRule `toml:"headers"`
}

// HeaderRule is one [[headers]] table: values for the paths for matches
// ("/*" for every path, "/x/*" for a prefix, else one exact path).
type HeaderRule struct {
	For    string            `toml:"for"`
	Values map[string]string `toml:"values"`
}

// Matches reports whether the rule covers path.
func (h HeaderRule) Matches(path string) bool {
	if prefix, ok := strings.CutSuffix(h.For, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return path == h.For
}

// Dev is netlify.toml's [dev] table, read by `netlify dev`.
type Dev struct {
	// JWTRolePath is where the roles are in the nf_jwt claims.
	JWTRolePath string `toml:"jwtRolePath"`
	// JWTSecret verifies nf_jwt locally. Netlify's config cannot read the
	// environment, so the file can only hold a development secret.
	JWTSecret string `toml:"jwtSecret"`
}

// Redirect is one [[redirects]] rule.
type Redirect struct {
	From       string              `toml:"from"`
	To         string              `toml:"to"`
	Status     int                 `toml:"status"`
	Force      bool                `toml:"force"`
	Conditions map[string][]string `toml:"conditions"`
}

// Roles are the rule's Role condition: the rule applies to a caller whose
// verified nf_jwt holds any of them.
func (r Redirect) Roles() []string { return r.Conditions["Role"] }

// Rule is a role rule (or a fallback) as the proxy enforces it.
type Rule struct {
	Redirect
	Index    int    // position in the file, from 0
	prefix   string // "/admin-only" for from = "/admin-only/*"
	splat    bool
	Function string // target function, for a status 200 rewrite
}

// maxFileSize bounds the netlify.toml we parse.
const maxFileSize = 1 << 20

// Parse reads netlify.toml and returns its role rules in file order.
func Parse(data []byte) (File, []Rule, error) {
	var f File
	if len(data) > maxFileSize {
		return f, nil, errors.New("netlify.toml is larger than 1 MiB")
	}
	if _, err := toml.Decode(string(data), &f); err != nil {
		return f, nil, fmt.Errorf("netlify.toml: %w", err)
	}
	guarded := map[string]bool{}
	for _, r := range f.Redirects {
		if _, ok := r.Conditions["Role"]; ok {
			guarded[r.From] = true
		}
	}
	var rules []Rule
	for i, r := range f.Redirects {
		if !guarded[r.From] {
			continue
		}
		rule, err := compile(i, r)
		if err != nil {
			return f, nil, fmt.Errorf("netlify.toml: [[redirects]] #%d (from %q): %w", i+1, r.From, err)
		}
		rules = append(rules, rule)
	}
	return f, rules, nil
}

// compile checks that a role rule is one this proxy reproduces exactly, and
// refuses the rest: a rule enforced differently here than on Netlify would
// defeat the point.
func compile(i int, r Redirect) (Rule, error) {
	rule := Rule{Redirect: r, Index: i}
	for name := range r.Conditions {
		if name != "Role" {
			return rule, fmt.Errorf("condition %q is not enforced locally", name)
		}
	}
	if r.Conditions != nil && len(r.Roles()) == 0 {
		return rule, errors.New("empty Role condition")
	}
	from := r.From
	if strings.HasSuffix(from, "/*") {
		rule.splat = true
		from = strings.TrimSuffix(from, "/*")
	}
	if !strings.HasPrefix(r.From, "/") || strings.ContainsAny(from, "*:?#") {
		return rule, errors.New(`"from" must be a path, optionally ending in /*`)
	}
	rule.prefix = strings.TrimSuffix(from, "/")
	if r.Status == 0 {
		rule.Status = http.StatusMovedPermanently // Netlify's default
	}
	switch {
	case rule.Status == http.StatusOK:
		name, ok := functionName(r.To)
		if !ok {
			return rule, errors.New(`a rewrite (status 200) must go to /.netlify/functions/<name>[/:splat]`)
		}
		rule.Function = name
	case rule.Status == http.StatusMovedPermanently || rule.Status == http.StatusFound ||
		(rule.Status >= 400 && rule.Status < 500):
		if !strings.HasPrefix(r.To, "/") || strings.Contains(r.To, ":") {
			return rule, errors.New(`"to" must be a plain path`)
		}
	default:
		return rule, fmt.Errorf("status %d is not enforced locally", rule.Status)
	}
	return rule, nil
}

// functionName reads <name> from /.netlify/functions/<name>[/...].
func functionName(to string) (string, bool) {
	rest, ok := strings.CutPrefix(to, "/.netlify/functions/")
	if !ok {
		return "", false
	}
	name, tail, _ := strings.Cut(rest, "/")
	if name == "" || (tail != "" && tail != ":splat") {
		return "", false
	}
	return name, true
}

// Matches reports whether the rule's "from" matches path. "/x/*" matches
// "/x" and everything under it, as on Netlify.
func (r Rule) Matches(path string) bool {
	if !r.splat {
		return strings.TrimSuffix(path, "/") == r.prefix
	}
	return path == r.prefix || strings.HasPrefix(path, r.prefix+"/")
}
