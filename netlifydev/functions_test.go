package netlifydev

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/strategies/proxyrole"
	"github.com/fnguard/fnguard/strategies/singleuse"
)

// TestLocalServerServesEveryStrategy starts the server through run, as
// `go run .` does, and calls each function with the development tokens of
// `go run . token`, the way the README's curls do.
func TestLocalServerServesEveryStrategy(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"}
	s := startServer(t, env)
	env["PORT"] = strconv.Itoa(s.port)
	tokens := map[string]string{}
	for _, persona := range []string{"free", "paid", "admin"} {
		tokens[persona] = mintFor(t, env, persona)
	}
	tokens["invalid"] = tokens["admin"][:len(tokens["admin"])-4] + "AAAA"
	for _, fn := range []string{"inline", "middleware", "decorator", "authorized"} {
		for _, tt := range []struct {
			persona, endpoint string
			status            int
		}{
			{"", "me", 401}, {"invalid", "admin", 401},
			{"free", "me", 200}, {"free", "paid", 403},
			{"paid", "paid", 200}, {"paid", "admin", 403},
			{"admin", "admin", 200},
		} {
			name := tt.persona
			if name == "" {
				name = "anonymous"
			}
			t.Run(name+" GET "+fn+"/"+tt.endpoint+" is "+strconv.Itoa(tt.status), func(t *testing.T) {
				status, body := get(t, s.base+functions.Path+"/"+fn+"/"+tt.endpoint, tokens[tt.persona])
				if status != tt.status {
					t.Fatalf("status = %d, want %d: %v", status, tt.status, body)
				}
				if status == 200 && body["strategy"] != fn {
					t.Fatalf("body = %v, want strategy %s", body, fn)
				}
				if status != 200 && body["error"] == nil {
					t.Fatalf("body = %v, want the flagship's error body", body)
				}
			})
		}
	}
}

func hs256(secret, claims string) string {
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// TestLocalFunctionsWithNetlifyIdentity serves the functions with the
// Netlify provider: the local adapter builds the client context from the
// Bearer token as Netlify does, and the functions verify it.
func TestLocalFunctionsWithNetlifyIdentity(t *testing.T) {
	const secret = "local-netlify-identity-secret-0123456789"
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	admin := `{"sub":"netlify|admin","exp":` + exp + `,"app_metadata":{"roles":["admin"]}}`
	signed := hs256(secret, admin)
	unsigned := strings.Join(strings.Split(signed, ".")[:2], ".") + "."
	forged := hs256("an-attacker-secret-that-is-long-enough", admin)

	tests := []struct {
		name   string
		env    map[string]string
		token  string
		status int
	}{
		{"admin Identity token signed with the site secret is 200", map[string]string{"NETLIFY_JWT_SECRET": secret}, signed, 200},
		{"Identity token signed with another secret is 401", map[string]string{"NETLIFY_JWT_SECRET": secret}, forged, 401},
		{"unsigned token is 401 when a secret is set", map[string]string{"NETLIFY_JWT_SECRET": secret}, unsigned, 401},
		{"no token is 401", map[string]string{"NETLIFY_JWT_SECRET": secret}, "", 401},
		{"development trusts the context, as netlify dev does", map[string]string{"NETLIFY_TRUST_UNVERIFIED_CONTEXT": "true"}, unsigned, 200},
	}
	// API Gateway gives an authorizer no Netlify client context: there the
	// Netlify provider can only verify the token, and needs the secret.
	authorizerStatus := func(env map[string]string, status int) int {
		if env["NETLIFY_JWT_SECRET"] == "" {
			return 401
		}
		return status
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["AUTH_PROVIDER"] = "netlify"
			tt.env["PORT"], tt.env["DEV_ISSUER_KEY_FILE"] = "0", t.TempDir()+"/dev.pem"
			s := startServer(t, tt.env)
			for _, fn := range []string{"inline", "middleware", "decorator", "authorized"} {
				want := tt.status
				if fn == "authorized" {
					want = authorizerStatus(tt.env, tt.status)
				}
				status, body := get(t, s.base+functions.Path+"/"+fn+"/admin", tt.token)
				if status != want {
					t.Errorf("%s: status = %d, want %d: %v", fn, status, want, body)
				}
			}
		})
	}
}

func TestFunctionsRefuseAnUnverifiableNetlifySetup(t *testing.T) {
	err := siteError(t, map[string]string{"AUTH_PROVIDER": "netlify", "PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"})
	if err == nil || !strings.Contains(err.Error(), "NETLIFY_JWT_SECRET") {
		t.Fatalf("err = %v, want it to name NETLIFY_JWT_SECRET", err)
	}
}

func TestLocalServerIssuesAndRedeemsSingleUseTokens(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem"}
	s := startServer(t, env)
	env["PORT"] = strconv.Itoa(s.port)
	user := mintFor(t, env, "paid")

	status, issued := post(t, s.base+"/api/tokens", user, `{"target":"reports","action":"read"}`)
	if status != 200 {
		t.Fatalf("POST /api/tokens = %d %v", status, issued)
	}
	token, _ := issued["token"].(string)
	for i, want := range []int{200, 401} {
		if status, body := get(t, s.base+"/.netlify/functions/reports", token); status != want {
			t.Fatalf("use %d of the token = %d %v; want %d", i+1, status, body, want)
		}
	}
	if status, _ := get(t, s.base+"/.netlify/functions/reports", user); status != 401 {
		t.Fatalf("the user's own token at the target = %d; want 401", status)
	}
	if status, body := get(t, s.base+"/api/.well-known/jwks.json", ""); status != 200 || body["keys"] == nil {
		t.Fatalf("JWKS = %d %v", status, body)
	}
}

// TestServedFunctionsReadNoBodyTheyDoNotTake: every function of the list,
// as the stand-in serves it, gets an anonymous POST of MaxBody and must
// answer for itself without the stand-in reading a byte of it (none of
// them reads a body). Before, each such request was buffered and
// base64-encoded: eight at once raised the server's RSS by ~280 MB.
func TestServedFunctionsReadNoBodyTheyDoNotTake(t *testing.T) {
	key, err := onetime.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	redeemer, err := singleuse.NewRedeemer(key, "")
	if err != nil {
		t.Fatal(err)
	}
	identity, err := proxyrole.Authenticator(config.Netlify{JWTSecret: []byte(strings.Repeat("s", 32))}, false)
	if err != nil {
		t.Fatal(err)
	}
	nobody := auth.AuthenticatorFunc(func(context.Context, auth.Request) (*auth.Principal, error) {
		return nil, &auth.Error{Err: auth.ErrNoToken, Reason: "test"}
	})
	log := slog.New(slog.DiscardHandler)
	served, err := serveFunctions(functions.Deps{Log: log, Caller: nobody, Identity: identity, Redeemer: redeemer}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range functions.All() {
		h, ok := served[f.Name]
		if !ok {
			continue
		}
		for _, r := range f.Routes {
			t.Run("anonymous POST of 6 MiB to "+f.URL()+r.Path+" is answered unread", func(t *testing.T) {
				body := &CountingReader{R: strings.NewReader(strings.Repeat("a", MaxBody))}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, f.URL()+r.Path, body))
				if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound {
					t.Errorf("status %d, want the function's own 401, 404 or 405", rec.Code)
				}
				if body.N != 0 {
					t.Errorf("the stand-in read %d bytes of the body", body.N)
				}
			})
		}
	}
}

// CountingReader counts what the server read of a request body (exported
// for the external tests of this package).
type CountingReader struct {
	R io.Reader
	N int
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += n
	return n, err
}
