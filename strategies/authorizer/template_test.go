package authorizer_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fnguard/fnguard/strategies/authorizer"
)

// template is what the tests read of template.yaml.
type template struct {
	Resources map[string]struct {
		Type     string `yaml:"Type"`
		Metadata struct {
			BuildMethod string `yaml:"BuildMethod"`
		} `yaml:"Metadata"`
		Properties struct {
			Auth struct {
				Authorizers map[string]struct {
					FunctionPayloadType string `yaml:"FunctionPayloadType"`
					Identity            struct {
						Header               string `yaml:"Header"`
						ValidationExpression string `yaml:"ValidationExpression"`
						ReauthorizeEvery     int    `yaml:"ReauthorizeEvery"`
					} `yaml:"Identity"`
				} `yaml:"Authorizers"`
			} `yaml:"Auth"`
			GatewayResponses map[string]struct {
				StatusCode         int `yaml:"StatusCode"`
				ResponseParameters struct {
					Headers map[string]string `yaml:"Headers"`
				} `yaml:"ResponseParameters"`
				ResponseTemplates map[string]string `yaml:"ResponseTemplates"`
			} `yaml:"GatewayResponses"`
			Events map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					Path   string `yaml:"Path"`
					Method string `yaml:"Method"`
					Auth   struct {
						Authorizer string `yaml:"Authorizer"`
					} `yaml:"Auth"`
				} `yaml:"Properties"`
			} `yaml:"Events"`
		} `yaml:"Properties"`
	} `yaml:"Resources"`
}

func readTemplate(t *testing.T) template {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := yaml.Unmarshal(raw, &tpl); err != nil {
		t.Fatalf("template.yaml is not valid YAML: %v", err)
	}
	return tpl
}

// TestTemplateGatewayResponsesMatchTheFlagship keeps API Gateway's own
// answers (configured in template.yaml) and GatewayResponse, which the
// local server and the tests use, from drifting apart.
func TestTemplateGatewayResponsesMatchTheFlagship(t *testing.T) {
	api := readTemplate(t).Resources["Api"].Properties
	for _, typ := range []string{"UNAUTHORIZED", "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR"} {
		t.Run(typ+" in template.yaml is the flagship's answer", func(t *testing.T) {
			got, ok := api.GatewayResponses[typ]
			if !ok {
				t.Fatalf("template.yaml does not configure %s", typ)
			}
			want := authorizer.GatewayResponse(typ)
			if got.StatusCode != want.StatusCode {
				t.Errorf("StatusCode = %d, want %d", got.StatusCode, want.StatusCode)
			}
			if body := got.ResponseTemplates["application/json"]; body != strings.TrimSuffix(want.Body, "\n") {
				t.Errorf("body = %s, want %s", body, want.Body)
			}
			for _, h := range []string{"WWW-Authenticate", "Retry-After", "Cache-Control"} {
				wantValue := ""
				if v := want.Headers[h]; v != "" {
					wantValue = "'" + v + "'"
				}
				if got.ResponseParameters.Headers[h] != wantValue {
					t.Errorf("%s = %s, want %s", h, got.ResponseParameters.Headers[h], wantValue)
				}
			}
		})
	}
}

func TestTemplateWiresTheAuthorizerToEveryRoute(t *testing.T) {
	tpl := readTemplate(t)
	authz, ok := tpl.Resources["Api"].Properties.Auth.Authorizers["TokenAuthorizer"]
	if !ok || authz.FunctionPayloadType != "TOKEN" || authz.Identity.Header != "Authorization" {
		t.Fatalf("TokenAuthorizer = %+v", authz)
	}
	if authz.Identity.ReauthorizeEvery <= 0 || authz.Identity.ReauthorizeEvery > 3600 {
		t.Errorf("cache TTL = %d, want caching on (the case the policies are built for)", authz.Identity.ReauthorizeEvery)
	}
	if time.Duration(authz.Identity.ReauthorizeEvery)*time.Second != authorizer.CacheTTL {
		t.Errorf("cache TTL = %ds, the local stand-in for API Gateway caches for %s", authz.Identity.ReauthorizeEvery, authorizer.CacheTTL)
	}
	var wired []string
	for name, ev := range tpl.Resources["AuthorizedFunction"].Properties.Events {
		if ev.Properties.Auth.Authorizer != "TokenAuthorizer" {
			t.Errorf("event %s is not behind the authorizer", name)
		}
		wired = append(wired, ev.Properties.Method+" "+ev.Properties.Path)
	}
	var routes []string
	for _, r := range authorizer.Routes() {
		routes = append(routes, r.Key())
	}
	slices.Sort(wired)
	slices.Sort(routes)
	if !slices.Equal(wired, routes) {
		t.Errorf("template routes %v, authorizer.Routes() %v: the policy would name resources API Gateway does not have", wired, routes)
	}

	re, err := regexp.Compile(authz.Identity.ValidationExpression)
	if err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]bool{
		"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln": true,
		"bearer abc-_.~+/=":  true,
		"Basic dXNlcjpwYXNz": false,
		"Bearer a b":         false,
		"Bearer ":            false,
	} {
		if re.MatchString(value) != want {
			t.Errorf("ValidationExpression matches %q: %v, want %v", value, !want, want)
		}
	}
}

func TestTemplateFunctionsHaveMakefileTargets(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for name, res := range readTemplate(t).Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		if res.Metadata.BuildMethod != "makefile" {
			t.Errorf("%s: BuildMethod %q, want makefile", name, res.Metadata.BuildMethod)
		}
		if !strings.Contains(string(makefile), "\nbuild-"+name+":") {
			t.Errorf("Makefile has no build-%s target for sam build", name)
		}
	}
}
