package devissuer_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
)

const (
	spaClient   = "spa"
	spaRedirect = "https://app.example/"
	spaOrigin   = "https://app.example"
	otherClient = "other"
	otherURI    = "https://other.example/cb"
)

// signInIssuer is a mounted issuer with two registered clients, and an
// HTTP client that shows redirects instead of following them.
func signInIssuer(t testing.TB) (*devissuer.Issuer, *httptest.Server, *http.Client) {
	t.Helper()
	iss, srv := mountedTB(t)
	for _, c := range []devissuer.Client{
		{ID: spaClient, RedirectURIs: []string{spaRedirect, "http://127.0.0.1:5173/"}},
		{ID: otherClient, RedirectURIs: []string{otherURI}},
	} {
		if err := iss.RegisterClient(c); err != nil {
			t.Fatal(err)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return iss, srv, client
}

func mountedTB(t testing.TB) (*devissuer.Issuer, *httptest.Server) {
	var iss *devissuer.Issuer
	h := http.StripPrefix("/dev-issuer", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Handler().ServeHTTP(w, r) }))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	iss = devissuer.New(srv.URL+"/dev-issuer/", signingKey(), issuerAudience, issuerRoles)
	return iss, srv
}

type pkce struct{ verifier, challenge string }

func newPKCE(t testing.TB) pkce {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(v))
	return pkce{v, base64.RawURLEncoding.EncodeToString(sum[:])}
}

// authorizeParams is a valid request as auth0-spa-js sends it.
func authorizeParams(p pkce) url.Values {
	return url.Values{
		"client_id":             {spaClient},
		"redirect_uri":          {spaRedirect},
		"response_type":         {"code"},
		"response_mode":         {"query"},
		"state":                 {"state-123"},
		"nonce":                 {"nonce-456"},
		"code_challenge":        {p.challenge},
		"code_challenge_method": {"S256"},
		"audience":              {issuerAudience},
		"scope":                 {"openid profile"},
	}
}

func do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

func postForm(t testing.TB, c *http.Client, u string, form url.Values, header ...string) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, c, req)
}

// redirectedTo checks a 303 to the client's redirect URI and returns its query.
func redirectedTo(t *testing.T, resp *http.Response, uri string) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != uri {
		t.Fatalf("redirected to %s, want %s", got, uri)
	}
	return loc.Query()
}

func TestAuthorizePage(t *testing.T) {
	iss, srv, c := signInIssuer(t)
	endpoint := srv.URL + "/dev-issuer/authorize?"
	p := newPKCE(t)
	with := func(edit func(v url.Values)) string {
		v := authorizeParams(p)
		edit(v)
		return v.Encode()
	}

	t.Run("a valid request shows the persona page", func(t *testing.T) {
		resp, body := get(t, c, endpoint+authorizeParams(p).Encode())
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, name := range []string{"free", "paid", "admin"} {
			if !strings.Contains(body, `name="persona" value="`+name+`"`) {
				t.Errorf("no button for persona %s", name)
			}
		}
		for _, want := range []string{`name="state" value="state-123"`, `name="code_challenge" value="` + p.challenge + `"`, `name="nonce" value="nonce-456"`} {
			if !strings.Contains(body, want) {
				t.Errorf("form does not carry %s", want)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self' "+spaOrigin) || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP = %q", csp)
		}
		if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers = %v", resp.Header)
		}
		// The page's only style is allowed by its hash: check the hash is
		// the style's, or the page renders unstyled.
		style := regexp.MustCompile(`(?s)<style>(.*)</style>`).FindStringSubmatch(body)
		if style == nil {
			t.Fatal("no <style>")
		}
		sum := sha256.Sum256([]byte(style[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("CSP %q does not allow the page's style %s", csp, h)
		}
	})

	t.Run("markup in a parameter is escaped", func(t *testing.T) {
		_, body := get(t, c, endpoint+with(func(v url.Values) { v.Set("state", `"><script>alert(1)</script>`) }))
		if strings.Contains(body, "<script>") {
			t.Errorf("state was not escaped: %s", body)
		}
	})

	// Without a registered client and redirect URI there is nowhere safe to
	// send an error: the issuer answers itself, with no Location.
	for _, tc := range []struct {
		name string
		edit func(v url.Values)
		want string
	}{
		{"an unknown client is a 400 page", func(v url.Values) { v.Set("client_id", "nobody") }, "unknown client_id"},
		{"a missing client is a 400 page", func(v url.Values) { v.Del("client_id") }, "unknown client_id"},
		{"an unregistered redirect_uri is a 400 page", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/") }, "redirect_uri is not registered"},
		{"a redirect_uri extending a registered one is a 400 page", func(v url.Values) { v.Set("redirect_uri", spaRedirect+"evil") }, "redirect_uri is not registered"},
		{"a redirect_uri with another port is a 400 page", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:5174/") }, "redirect_uri is not registered"},
		{"another client's redirect_uri is a 400 page", func(v url.Values) { v.Set("redirect_uri", otherURI) }, "redirect_uri is not registered"},
		{"a repeated redirect_uri is a 400 page", func(v url.Values) { v.Add("redirect_uri", "https://evil.example/") }, "redirect_uri is repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, c, endpoint+with(tc.edit))
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("got %d Location %q, want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(body, tc.want) || strings.Contains(body, `name="persona"`) {
				t.Errorf("page does not say %q, or offers personas:\n%s", tc.want, body)
			}
		})
	}

	// With a registered redirect URI, errors go back to the client (RFC
	// 6749 §4.1.2.1) with its state and the issuer (RFC 9207).
	for _, tc := range []struct {
		name     string
		edit     func(v url.Values)
		wantCode string
	}{
		{"plain PKCE is refused", func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"a missing code_challenge_method is refused", func(v url.Values) { v.Del("code_challenge_method") }, "invalid_request"},
		{"a missing code_challenge is refused", func(v url.Values) { v.Del("code_challenge") }, "invalid_request"},
		{"a code_challenge that is no SHA-256 digest is refused", func(v url.Values) { v.Set("code_challenge", "abc") }, "invalid_request"},
		{"the implicit flow is refused", func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type"},
		{"response_mode web_message is refused", func(v url.Values) { v.Set("response_mode", "web_message") }, "invalid_request"},
		{"another audience is denied", func(v url.Values) { v.Set("audience", "https://other.api") }, "access_denied"},
		{"a scope without openid is refused", func(v url.Values) { v.Set("scope", "profile") }, "invalid_scope"},
		{"prompt=none needs a login", func(v url.Values) { v.Set("prompt", "none") }, "login_required"},
		{"a repeated state is refused", func(v url.Values) { v.Add("state", "other") }, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := get(t, c, endpoint+with(tc.edit))
			q := redirectedTo(t, resp, spaRedirect)
			if q.Get("error") != tc.wantCode || q.Get("error_description") == "" || q.Get("iss") != iss.URL || q.Has("code") {
				t.Errorf("redirect query = %v, want error %s with a description and iss, and no code", q, tc.wantCode)
			}
			if tc.name != "a repeated state is refused" && q.Get("state") != "state-123" {
				t.Errorf("state = %q, want it echoed", q.Get("state"))
			}
		})
	}
}

func TestAuthorizeSubmit(t *testing.T) {
	iss, srv, c := signInIssuer(t)
	endpoint := srv.URL + "/dev-issuer/authorize"
	p := newPKCE(t)
	form := func(extra ...string) url.Values {
		v := authorizeParams(p)
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}

	t.Run("picking a persona redirects back with a code, the state and the issuer", func(t *testing.T) {
		resp, _ := postForm(t, c, endpoint, form("persona", "paid"))
		q := redirectedTo(t, resp, spaRedirect)
		if len(q.Get("code")) < 20 || q.Get("state") != "state-123" || q.Get("iss") != iss.URL || q.Has("error") {
			t.Errorf("redirect query = %v", q)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
		}
	})
	t.Run("cancel redirects back with access_denied", func(t *testing.T) {
		resp, _ := postForm(t, c, endpoint, form("cancel", "1"))
		if q := redirectedTo(t, resp, spaRedirect); q.Get("error") != "access_denied" || q.Has("code") {
			t.Errorf("redirect query = %v", q)
		}
	})
	t.Run("an unknown persona is a 400 page", func(t *testing.T) {
		resp, body := postForm(t, c, endpoint, form("persona", "root"))
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(body, "Pick one of the personas") {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("a tampered redirect_uri in the form is a 400 page", func(t *testing.T) {
		resp, _ := postForm(t, c, endpoint, form("persona", "admin", "redirect_uri", "https://evil.example/"))
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("got %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("plain PKCE in the form is refused", func(t *testing.T) {
		resp, _ := postForm(t, c, endpoint, form("persona", "admin", "code_challenge_method", "plain"))
		if q := redirectedTo(t, resp, spaRedirect); q.Get("error") != "invalid_request" || q.Has("code") {
			t.Errorf("redirect query = %v", q)
		}
	})
	t.Run("a huge form is a 400 page", func(t *testing.T) {
		resp, _ := postForm(t, c, endpoint, form("persona", "admin", "padding", strings.Repeat("x", 64<<10)))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status = %d, want 400", resp.StatusCode)
		}
	})
}

// signIn runs the browser half of the flow and returns a fresh code.
func signIn(t testing.TB, c *http.Client, srv *httptest.Server, p pkce, persona string) string {
	t.Helper()
	v := authorizeParams(p)
	v.Set("persona", persona)
	resp, _ := postForm(t, c, srv.URL+"/dev-issuer/authorize", v)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("sign-in as %s: %d %s", persona, resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func tokenForm(code string, p pkce) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {spaClient},
		"code":          {code},
		"code_verifier": {p.verifier},
		"redirect_uri":  {spaRedirect},
	}
}

type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	IDToken          string `json:"id_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int    `json:"expires_in"`
	Scope            string `json:"scope"`
	RefreshToken     string `json:"refresh_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func exchange(t testing.TB, c *http.Client, srv *httptest.Server, form url.Values, header ...string) (*http.Response, tokenResponse) {
	t.Helper()
	resp, body := postForm(t, c, srv.URL+"/dev-issuer/oauth/token", form, header...)
	var tr tokenResponse
	if err := json.Unmarshal([]byte(body), &tr); err != nil {
		t.Fatalf("token endpoint answered %d %q: %v", resp.StatusCode, body, err)
	}
	return resp, tr
}

func TestTokenEndpointIssuesTokensTheAPIAccepts(t *testing.T) {
	iss, srv, c := signInIssuer(t)
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, Audiences: []string{issuerAudience}, RolesClaim: issuerRoles}, auth.NewKeySet(iss.URL))
	if err != nil {
		t.Fatal(err)
	}
	for _, persona := range devissuer.Personas {
		t.Run(persona.Name+" gets an access token for the API and an ID token for the app", func(t *testing.T) {
			p := newPKCE(t)
			resp, tr := exchange(t, c, srv, tokenForm(signIn(t, c, srv, p, persona.Name), p))
			if resp.StatusCode != http.StatusOK || tr.TokenType != "Bearer" || tr.ExpiresIn != int(devissuer.AccessTokenTTL.Seconds()) || tr.Scope != "openid profile" {
				t.Fatalf("got %d %+v", resp.StatusCode, tr)
			}
			if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
				t.Errorf("caching headers = %v", resp.Header)
			}
			principal, err := v.Verify(context.Background(), tr.AccessToken)
			if err != nil {
				t.Fatalf("the API rejects the access token: %v", err)
			}
			if principal.Subject != persona.Subject || !slices.Equal(principal.Roles, persona.Roles) {
				t.Errorf("principal = %+v, want %s with roles %v", principal, persona.Subject, persona.Roles)
			}

			id, err := jwt.ParseSigned(tr.IDToken)
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				jwt.Claims
				Nonce string `json:"nonce"`
			}
			if err := id.Claims(&signingKey().PublicKey, &claims); err != nil {
				t.Fatalf("ID token signature: %v", err)
			}
			if id.Headers[0].Algorithm != string(jose.RS256) || id.Headers[0].KeyID != iss.KeyID() {
				t.Errorf("ID token header = %+v", id.Headers[0])
			}
			err = claims.Validate(jwt.Expected{Issuer: iss.URL, Subject: persona.Subject, Audience: jwt.Audience{spaClient}, Time: time.Now()})
			if err != nil || claims.Nonce != "nonce-456" {
				t.Errorf("ID token claims %+v: %v", claims, err)
			}
		})
	}
}

func TestTokenEndpointRefuses(t *testing.T) {
	iss, srv, c := signInIssuer(t)
	for _, tc := range []struct {
		name       string
		edit       func(t *testing.T, f url.Values)
		wantStatus int
		wantError  string
	}{
		{"a wrong code_verifier", func(t *testing.T, f url.Values) { f.Set("code_verifier", newPKCE(t).verifier) }, 400, "invalid_grant"},
		{"a code_verifier that is the challenge (plain)", func(t *testing.T, f url.Values) {
			f.Set("code_verifier", f.Get("challenge"))
		}, 400, "invalid_grant"},
		{"a missing code_verifier", func(t *testing.T, f url.Values) { f.Del("code_verifier") }, 400, "invalid_grant"},
		{"a too short code_verifier", func(t *testing.T, f url.Values) { f.Set("code_verifier", "short") }, 400, "invalid_grant"},
		{"another redirect_uri", func(t *testing.T, f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:5173/") }, 400, "invalid_grant"},
		{"another registered client", func(t *testing.T, f url.Values) { f.Set("client_id", otherClient) }, 400, "invalid_grant"},
		{"an unknown client", func(t *testing.T, f url.Values) { f.Set("client_id", "nobody") }, 401, "invalid_client"},
		{"an unknown code", func(t *testing.T, f url.Values) { f.Set("code", "guessed") }, 400, "invalid_grant"},
		{"another grant type", func(t *testing.T, f url.Values) { f.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
		{"a repeated parameter", func(t *testing.T, f url.Values) { f.Add("code_verifier", "x") }, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPKCE(t)
			f := tokenForm(signIn(t, c, srv, p, "admin"), p)
			f.Set("challenge", p.challenge)
			tc.edit(t, f)
			f.Del("challenge")
			resp, tr := exchange(t, c, srv, f)
			if resp.StatusCode != tc.wantStatus || tr.Error != tc.wantError || tr.ErrorDescription == "" || tr.AccessToken != "" {
				t.Errorf("got %d %+v, want %d %s", resp.StatusCode, tr, tc.wantStatus, tc.wantError)
			}
		})
	}

	t.Run("a code works once", func(t *testing.T) {
		p := newPKCE(t)
		f := tokenForm(signIn(t, c, srv, p, "admin"), p)
		if resp, tr := exchange(t, c, srv, f); resp.StatusCode != 200 {
			t.Fatalf("first use: %d %+v", resp.StatusCode, tr)
		}
		if resp, tr := exchange(t, c, srv, f); resp.StatusCode != 400 || tr.Error != "invalid_grant" {
			t.Errorf("second use: %d %+v, want 400 invalid_grant", resp.StatusCode, tr)
		}
	})
	t.Run("a failed attempt burns the code", func(t *testing.T) {
		p := newPKCE(t)
		f := tokenForm(signIn(t, c, srv, p, "admin"), p)
		wrong := tokenForm(f.Get("code"), newPKCE(t))
		if resp, _ := exchange(t, c, srv, wrong); resp.StatusCode != 400 {
			t.Fatalf("wrong verifier: %d", resp.StatusCode)
		}
		if resp, tr := exchange(t, c, srv, f); resp.StatusCode != 400 || tr.Error != "invalid_grant" {
			t.Errorf("right verifier after a wrong one: %d %+v, want 400 invalid_grant", resp.StatusCode, tr)
		}
	})
	t.Run("an expired code", func(t *testing.T) {
		p := newPKCE(t)
		f := tokenForm(signIn(t, c, srv, p, "admin"), p)
		iss.SetClock(func() time.Time { return time.Now().Add(61 * time.Second) })
		defer iss.SetClock(time.Now)
		if resp, tr := exchange(t, c, srv, f); resp.StatusCode != 400 || tr.Error != "invalid_grant" {
			t.Errorf("got %d %+v, want 400 invalid_grant", resp.StatusCode, tr)
		}
	})
	t.Run("a JSON body", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dev-issuer/oauth/token", strings.NewReader(`{"grant_type":"authorization_code"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, body := do(t, c, req)
		if resp.StatusCode != 400 || !strings.Contains(body, `"invalid_request"`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
}

func TestTooManyPendingCodesIsTemporarilyUnavailable(t *testing.T) {
	_, srv, c := signInIssuer(t)
	p := newPKCE(t)
	v := authorizeParams(p)
	v.Set("persona", "free")
	for i := 0; ; i++ {
		resp, _ := postForm(t, c, srv.URL+"/dev-issuer/authorize", v)
		q := redirectedTo(t, resp, spaRedirect)
		if q.Get("error") == "temporarily_unavailable" {
			if i != 1024 {
				t.Errorf("refused after %d codes, want 1024", i)
			}
			return
		}
		if i > 1024 {
			t.Fatal("never refused")
		}
	}
}

func TestTokenEndpointCORS(t *testing.T) {
	_, srv, c := signInIssuer(t)
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/dev-issuer/oauth/token", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "auth0-client,content-type")
		resp, _ := do(t, c, req)
		return resp
	}
	t.Run("a registered origin's preflight is allowed with auth0-spa-js's header", func(t *testing.T) {
		resp := preflight(spaOrigin)
		h := resp.Header
		if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != spaOrigin || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Auth0-Client") || h.Get("Access-Control-Allow-Methods") != "POST" {
			t.Errorf("got %d %v", resp.StatusCode, h)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed: the token endpoint needs no cookies")
		}
	})
	t.Run("another origin's preflight is refused", func(t *testing.T) {
		resp := preflight("https://evil.example")
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("got %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("answers carry the allow header only for a registered origin", func(t *testing.T) {
		for origin, want := range map[string]string{spaOrigin: spaOrigin, "http://127.0.0.1:5173": "http://127.0.0.1:5173", "https://evil.example": "", "null": ""} {
			resp, _ := postForm(t, c, srv.URL+"/dev-issuer/oauth/token", url.Values{"grant_type": {"authorization_code"}}, "Origin", origin)
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want || !slices.Contains(resp.Header.Values("Vary"), "Origin") {
				t.Errorf("Origin %s: Access-Control-Allow-Origin %q, Vary %v; want %q and Vary: Origin", origin, got, resp.Header.Values("Vary"), want)
			}
		}
	})
}

func TestLogoutReturnsOnlyToRegisteredURIs(t *testing.T) {
	_, srv, c := signInIssuer(t)
	for _, tc := range []struct {
		name, query  string
		wantStatus   int
		wantLocation string
	}{
		{"a registered returnTo", "client_id=spa&returnTo=" + url.QueryEscape(spaRedirect), 303, spaRedirect},
		{"an unregistered returnTo", "client_id=spa&returnTo=" + url.QueryEscape("https://evil.example/"), 400, ""},
		{"another client's returnTo", "client_id=spa&returnTo=" + url.QueryEscape(otherURI), 400, ""},
		{"an unknown client", "client_id=nobody&returnTo=" + url.QueryEscape(spaRedirect), 400, ""},
		{"no returnTo", "client_id=spa", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := get(t, c, srv.URL+"/dev-issuer/v2/logout?"+tc.query)
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("Location") != tc.wantLocation {
				t.Errorf("got %d Location %q, want %d %q", resp.StatusCode, resp.Header.Get("Location"), tc.wantStatus, tc.wantLocation)
			}
		})
	}
}

func TestDiscoveryListsTheSignInEndpoints(t *testing.T) {
	iss, srv, c := signInIssuer(t)
	_, body := get(t, c, srv.URL+"/dev-issuer/.well-known/openid-configuration")
	var d map[string]any
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"issuer":                           iss.URL,
		"authorization_endpoint":           iss.URL + "authorize",
		"token_endpoint":                   iss.URL + "oauth/token",
		"end_session_endpoint":             iss.URL + "v2/logout",
		"code_challenge_methods_supported": []any{"S256"},
		"response_types_supported":         []any{"code"},
		"grant_types_supported":            []any{"authorization_code", "refresh_token"},
	}
	for k, w := range want {
		if fmt.Sprint(d[k]) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, d[k], w)
		}
	}
}

func TestRegisterClientRefusesUnsafeRedirectURIs(t *testing.T) {
	iss := devissuer.New("http://127.0.0.1/dev-issuer/", signingKey(), issuerAudience, issuerRoles)
	for _, uri := range []string{"", "/relative", "app.example/", "javascript:alert(1)", "https://app.example/#frag", "https://user@app.example/", "ftp://app.example/"} {
		if err := iss.RegisterClient(devissuer.Client{ID: "x", RedirectURIs: []string{uri}}); err == nil {
			t.Errorf("redirect URI %q accepted", uri)
		}
	}
	if err := iss.RegisterClient(devissuer.Client{RedirectURIs: []string{spaRedirect}}); err == nil {
		t.Error("empty client id accepted")
	}
}

// FuzzAuthorize: whatever the query, /authorize answers 200, 303 or 400,
// and a 303 goes to a registered redirect URI only.
func FuzzAuthorize(f *testing.F) {
	p := pkce{challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}
	f.Add(authorizeParams(p).Encode())
	f.Add("client_id=spa&redirect_uri=https%3A%2F%2Fevil.example%2F")
	f.Add("client_id=spa&redirect_uri=https%3A%2F%2Fapp.example%2F&redirect_uri=x")
	f.Add("%zz&;;==")
	_, srv, c := signInIssuer(f)
	f.Fuzz(func(t *testing.T, query string) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, _ := http.NewRequest(method, srv.URL+"/dev-issuer/authorize", nil)
			if method == http.MethodGet {
				req.URL.RawQuery = query
			} else {
				req.Body = io.NopCloser(strings.NewReader(query))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Skipf("the client refuses to send it: %v", err)
			}
			resp.Body.Close()
			switch resp.StatusCode {
			case 200, 400:
				if loc := resp.Header.Get("Location"); loc != "" {
					t.Fatalf("%s: %d with Location %q", method, resp.StatusCode, loc)
				}
			case 303:
				loc := resp.Header.Get("Location")
				if !strings.HasPrefix(loc, spaRedirect+"?") && !strings.HasPrefix(loc, "http://127.0.0.1:5173/?") && !strings.HasPrefix(loc, otherURI+"?") {
					t.Fatalf("%s: redirect to %q", method, loc)
				}
			default:
				t.Fatalf("%s %q: status %d", method, query, resp.StatusCode)
			}
		}
	})
}

// FuzzToken: whatever the body, the token endpoint answers a JSON OAuth
// error and never a token, a 5xx or a panic.
func FuzzToken(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", tokenForm("code", newPKCE(f)).Encode())
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "grant_type=authorization_code&code=&code=")
	f.Add("application/json", `{"grant_type":"authorization_code"}`)
	f.Add("application/x-www-form-urlencoded", "grant_type=refresh_token&client_id=spa&refresh_token=guessed")
	f.Add("application/x-www-form-urlencoded", "grant_type=refresh_token&client_id=spa&refresh_token=&scope=openid+offline_access")
	f.Add("multipart/form-data; boundary=x", "--x--")
	_, srv, c := signInIssuer(f)
	f.Fuzz(func(t *testing.T, contentType, body string) {
		if strings.ContainsFunc(contentType, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			t.Skip("not a header value an HTTP client can send")
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dev-issuer/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		resp, out := do(t, c, req)
		var e tokenResponse
		if resp.StatusCode != 400 && resp.StatusCode != 401 || json.Unmarshal([]byte(out), &e) != nil || e.Error == "" || e.AccessToken != "" {
			t.Fatalf("%q %q: %d %s", contentType, body, resp.StatusCode, out)
		}
	})
}
