package devissuer_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/fnguard/fnguard/auth/devissuer"
)

const (
	issuerAudience = "https://api.devissuer.test"
	issuerRoles    = "https://fnguard.dev/roles"
)

var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// mounted serves the issuer under /dev-issuer/ on loopback, as the local
// server does.
func mounted(t *testing.T) (*devissuer.Issuer, *httptest.Server) {
	t.Helper()
	var iss *devissuer.Issuer
	mux := http.NewServeMux()
	mux.Handle("/dev-issuer/", http.StripPrefix("/dev-issuer", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss.Handler().ServeHTTP(w, r)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss = devissuer.New(srv.URL+"/dev-issuer/", signingKey(), issuerAudience, issuerRoles)
	return iss, srv
}

func fetch(t *testing.T, client *http.Client, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestHandlerServesDiscoveryAndJWKS(t *testing.T) {
	iss, srv := mounted(t)

	resp, body := fetch(t, srv.Client(), http.MethodGet, iss.URL+".well-known/openid-configuration")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("discovery: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Issuer != iss.URL || meta.JWKSURI != iss.URL+".well-known/jwks.json" {
		t.Fatalf("discovery names issuer %q and jwks_uri %q", meta.Issuer, meta.JWKSURI)
	}

	resp, body = fetch(t, srv.Client(), http.MethodGet, meta.JWKSURI)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("jwks: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(string(body), `"d"`) || strings.Contains(string(body), `"p"`) {
		t.Fatalf("the JWKS publishes private key material: %s", body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("%d keys published, want 1", len(set.Keys))
	}
	k := set.Keys[0]
	if k.KeyID != iss.KeyID() || k.Algorithm != "RS256" || k.Use != "sig" || !k.IsPublic() {
		t.Errorf("published key: kid %q alg %q use %q public %v", k.KeyID, k.Algorithm, k.Use, k.IsPublic())
	}
	if pub, ok := k.Key.(*rsa.PublicKey); !ok || !pub.Equal(&signingKey().PublicKey) {
		t.Error("the published key is not the signing key's public half")
	}

	for _, bad := range []struct{ method, path string }{
		{http.MethodPost, ".well-known/jwks.json"},
		{http.MethodPut, ".well-known/openid-configuration"},
	} {
		if resp, _ := fetch(t, srv.Client(), bad.method, iss.URL+bad.path); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s = %d, want 405", bad.method, bad.path, resp.StatusCode)
		}
	}
}

func TestMintedTokensVerifyWithThePublishedKey(t *testing.T) {
	iss, _ := mounted(t)
	for _, p := range devissuer.Personas {
		t.Run(p.Name+" token carries the persona's claims", func(t *testing.T) {
			const ttl = 7 * time.Minute
			token, err := iss.Mint(p, ttl)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jwt.ParseSigned(token)
			if err != nil {
				t.Fatal(err)
			}
			if h := parsed.Headers[0]; h.Algorithm != "RS256" || h.KeyID != iss.KeyID() {
				t.Errorf("header alg %q kid %q", h.Algorithm, h.KeyID)
			}
			var std jwt.Claims
			var custom map[string]any
			if err := parsed.Claims(&signingKey().PublicKey, &std, &custom); err != nil {
				t.Fatalf("signature: %v", err)
			}
			if std.Issuer != iss.URL || std.Subject != p.Subject || !std.Audience.Contains(issuerAudience) || std.ID == "" {
				t.Errorf("claims iss %q sub %q aud %v jti %q", std.Issuer, std.Subject, std.Audience, std.ID)
			}
			// exp is rounded up to a whole second (TestTokensLiveAtLeastTheirTTL).
			if got := std.Expiry.Time().Sub(std.IssuedAt.Time()); got != ttl && got != ttl+time.Second {
				t.Errorf("exp - iat = %v, want %v, or a second more", got, ttl)
			}
			if got := asStrings(custom[issuerRoles]); !slices.Equal(got, p.Roles) {
				t.Errorf("roles under %s = %v, want %v", issuerRoles, got, p.Roles)
			}
			if got := asStrings(custom["permissions"]); !slices.Equal(got, p.Permissions) {
				t.Errorf("permissions = %v, want %v", got, p.Permissions)
			}
		})
	}
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, s := range list {
		str, _ := s.(string)
		out = append(out, str)
	}
	return out
}

// The RFC 7638 §3.1 example: its thumbprint is the kid the issuer uses.
func TestKeyIDIsTheRFC7638Thumbprint(t *testing.T) {
	n, err := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	if got, want := devissuer.KeyID(pub), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("KeyID = %q, want %q", got, want)
	}
}

func TestLookupPersona(t *testing.T) {
	for _, name := range []string{"free", "paid", "admin"} {
		t.Run(name+" is a persona", func(t *testing.T) {
			p, err := devissuer.LookupPersona(name)
			if err != nil || p.Name != name || p.Subject == "" {
				t.Fatalf("LookupPersona(%q) = %+v, %v", name, p, err)
			}
		})
	}
	for _, name := range []string{"root", "", "Admin", "admin "} {
		t.Run(name+" is not a persona and the error lists the valid names", func(t *testing.T) {
			_, err := devissuer.LookupPersona(name)
			if err == nil {
				t.Fatalf("LookupPersona(%q) succeeded", name)
			}
			for _, valid := range []string{"free", "paid", "admin"} {
				if !strings.Contains(err.Error(), valid) {
					t.Errorf("error %q does not list %q", err, valid)
				}
			}
		})
	}
}
