package functions_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/internal/lambdatest"
)

// Netlify builds a function of every folder of netlify/functions: each must
// be in the list (or the page, the local server and the tests would not
// know it), and its main must run the list's entry.
func TestEveryNetlifyFunctionIsInTheList(t *testing.T) {
	dirs, err := os.ReadDir("../netlify/functions")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			i := slices.IndexFunc(functions.All(), func(f functions.Function) bool { return f.Name == d.Name() })
			if i < 0 {
				t.Fatalf("netlify/functions/%s is not in functions.All", d.Name())
			}
			src, err := os.ReadFile(filepath.Join("../netlify/functions", d.Name(), "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), "functions.") {
				t.Errorf("its main.go does not read package functions")
			}
		})
	}
}

func TestNamesAndRoutesAreUnique(t *testing.T) {
	names := map[string]bool{}
	for _, f := range functions.All() {
		if names[f.Name] || f.Name == "" || f.Title == "" || len(f.Routes) == 0 {
			t.Errorf("%q: a function needs a unique name, a title and routes", f.Name)
		}
		names[f.Name] = true
		routes := map[string]bool{}
		for _, r := range f.Routes {
			key := r.Method + " " + r.Path
			if routes[key] {
				t.Errorf("%s: %s is listed twice", f.Name, key)
			}
			routes[key] = true
			if (r.Policy == nil) != (r.Credential == functions.None) {
				t.Errorf("%s %s: policy %v with credential %q: public routes send nothing, protected routes a token", f.Name, key, r.Policy, r.Credential)
			}
			if (r.Credential == functions.SingleUse) != (r.Action != "") {
				t.Errorf("%s %s: single-use routes, and only they, name an action", f.Name, key)
			}
		}
	}
}

// A function's main refuses to start, saying why, when its environment
// cannot configure it: nothing falls back to a development value in Lambda.
func TestRunRefusesAFunctionItCannotConfigure(t *testing.T) {
	inLambda := map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"}
	tests := []struct {
		name    string
		f       functions.Function
		env     map[string]string
		mention string
	}{
		{"a strategy with an unknown provider", functions.Inline(), map[string]string{"AUTH_PROVIDER": "okta"}, "AUTH_PROVIDER"},
		{"a strategy in Lambda without an issuer", functions.Decorator(), inLambda, "AUTH0_DOMAIN"},
		{"a role-rule function in Lambda without the Identity secret", functions.AdminOnly(), inLambda, "NETLIFY_JWT_SECRET"},
		{"the single-use target outside Lambda", functions.Reports(), nil, "go run ."},
		{"the single-use target in Lambda without Redis", functions.Reports(), map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", "ONETIME_JWKS_URL": "https://site.test/api/.well-known/jwks.json"}, "REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" does not start", func(t *testing.T) {
			err := functions.Run(context.Background(), tt.f, func(k string) string { return tt.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("Run = %v, want an error naming %q", err, tt.mention)
			}
		})
	}
}

// A function's binary links its own strategy and loader, not the others':
// every entry of the list reached from main would bring its handler along
// (the single-use target brings a Redis client, about 2 MB).
func TestAFunctionBinaryLinksOnlyItsOwnStrategy(t *testing.T) {
	// The client itself: config links go-redis's URL parser everywhere.
	const redisClient = "go-redis/v9.(*baseClient)"
	tests := []struct {
		main    string
		links   []string
		notLink []string
	}{
		{"inline", []string{"strategies/inline."}, []string{redisClient, "strategies/singleuse.", "strategies/authorizer.", "proxyrole.Function.Handler", "strategies/decorator."}},
		{"admin-only", []string{"proxyrole.Function.Handler"}, []string{redisClient, "strategies/singleuse.", "strategies/inline."}},
	}
	for _, tt := range tests {
		t.Run(tt.main+" links its strategy alone", func(t *testing.T) {
			bin, err := os.ReadFile(lambdatest.Build(t, "../netlify/functions/"+tt.main))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.links {
				if !bytes.Contains(bin, []byte(s)) {
					t.Errorf("no %s in the binary: the check below would prove nothing", s)
				}
			}
			for _, s := range tt.notLink {
				if bytes.Contains(bin, []byte(s)) {
					t.Errorf("the binary links %s", s)
				}
			}
		})
	}
}

func TestMain(m *testing.M) { lambdatest.Main(m) }
