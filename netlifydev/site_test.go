package netlifydev

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/strategies/provider"
)

// The repository's own netlify.toml: the tests run in this folder.
const repoTOML = "../netlify.toml"

// server is the local server as `go run .` builds it, on loopback.
type server struct {
	base string // http://127.0.0.1:PORT
	port int
}

// newSite builds the site env configures, listening on ln's port.
func newSite(env map[string]string, ln net.Listener) (*Site, error) {
	if env["NETLIFY_TOML"] == "" {
		env["NETLIFY_TOML"] = repoTOML
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	pc, err := provider.Load(getenv)
	if err != nil {
		return nil, err
	}
	return New(Options{Config: cfg, Provider: pc, Port: ln.Addr().(*net.TCPAddr).Port, Log: slog.New(slog.DiscardHandler)})
}

func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site, err := newSite(env, ln)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(site)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	s := &server{base: srv.URL, port: ln.Addr().(*net.TCPAddr).Port}
	if !strings.HasPrefix(s.base, "http://127.0.0.1:") {
		t.Fatalf("server at %s", s.base)
	}
	return s
}

// siteError is the error New returns for env.
func siteError(t *testing.T, env map[string]string) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = newSite(env, ln)
	return err
}

func loadConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	if env["NETLIFY_TOML"] == "" {
		env["NETLIFY_TOML"] = repoTOML
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// mintFor signs an hour-long access token for persona, as `go run . token`
// does for the server on env's PORT.
func mintFor(t *testing.T, env map[string]string, persona string) string {
	t.Helper()
	cfg := loadConfig(t, env)
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := NewDevIssuer(cfg, cfg.Port)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := dev.Mint(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// mintNetlify signs an hour-long nf_jwt for persona, as `go run .
// netlify-token` does.
func mintNetlify(t *testing.T, env map[string]string, persona string) string {
	t.Helper()
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		t.Fatal(err)
	}
	secret, rolesPath, err := IdentitySecret(loadConfig(t, env))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := SignIdentityToken(secret, rolesPath, p.Subject, p.Roles, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func post(t *testing.T, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func getWithCookie(t *testing.T, url, nfJWT string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if nfJWT != "" {
		req.AddCookie(&http.Cookie{Name: "nf_jwt", Value: nfJWT})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// realIssuer is an issuer of the kind a deployment configures: on its own
// loopback server, apart from the local server.
func realIssuer(t *testing.T) *devissuer.Issuer {
	t.Helper()
	key, err := devissuer.LoadOrCreateKey(t.TempDir() + "/k.pem")
	if err != nil {
		t.Fatal(err)
	}
	var iss *devissuer.Issuer
	is := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Handler().ServeHTTP(w, r) }))
	t.Cleanup(is.Close)
	iss = devissuer.New(is.URL+"/", key, "https://api.test", auth.DefaultRolesClaim)
	return iss
}

// adminOnlyLetsIn says whether the admin-only function answered a GET of
// url with the nf_jwt cookie, and what the answer was.
func adminOnlyLetsIn(t *testing.T, url, cookie string) (bool, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.AddCookie(&http.Cookie{Name: "nf_jwt", Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"function":"admin-only"`), fmt.Sprintf("%d %s", resp.StatusCode, body)
}

// repoFile is the repository's netlify.toml, read.
func repoFile(t *testing.T) File {
	t.Helper()
	data, err := os.ReadFile(repoTOML)
	if err != nil {
		t.Fatal(err)
	}
	file, _, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

// TestFallbackPageHasThePagesSecurityHeaders: through the whole local
// server, the 401 page a role rule falls back to carries the headers the
// app's page does, its Content-Security-Policy included, and a dot segment
// cannot steer a request past the rule it lands under.
func TestFallbackPageHasThePagesSecurityHeaders(t *testing.T) {
	s := startServer(t, map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem", "NETLIFY_TOML": "../netlify.toml"})
	fetch := func(path string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		// As behind the TLS proxy of a deployment: Strict-Transport-Security
		// is only for answers that leave over HTTPS (RFC 6797 §7.2).
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	page, denied := fetch("/"), fetch("/paid-only/../admin-only/")
	if page.StatusCode != 200 || denied.StatusCode != 401 {
		t.Fatalf("page %d, fallback %d; want 200 and 401", page.StatusCode, denied.StatusCode)
	}
	for _, name := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Strict-Transport-Security"} {
		if got, want := denied.Header.Get(name), page.Header.Get(name); want == "" || got == "" || (name == "Content-Security-Policy" && got != want) {
			t.Errorf("%s: fallback %q, page %q", name, got, want)
		}
	}
}
