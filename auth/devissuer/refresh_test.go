package devissuer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
)

// offlineSignIn signs persona in as auth0-spa-js does with
// useRefreshTokens (scope offline_access), and returns the tokens.
func offlineSignIn(t *testing.T, c *http.Client, srv *httptest.Server, persona string) tokenResponse {
	t.Helper()
	p := newPKCE(t)
	v := authorizeParams(p)
	v.Set("scope", "openid profile offline_access")
	v.Set("persona", persona)
	resp, _ := postForm(t, c, srv.URL+"/dev-issuer/authorize", v)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	r, tr := exchange(t, c, srv, tokenForm(loc.Query().Get("code"), p))
	if r.StatusCode != http.StatusOK || tr.RefreshToken == "" {
		t.Fatalf("code exchange: %d %+v, want 200 with a refresh token", r.StatusCode, tr)
	}
	return tr
}

// refreshForm is a refresh request as auth0-spa-js sends it.
func refreshForm(token string) url.Values {
	return url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {spaClient},
		"refresh_token": {token},
		"redirect_uri":  {spaRedirect},
		"audience":      {issuerAudience},
		"scope":         {"openid profile offline_access"},
	}
}

func refresh(t *testing.T, c *http.Client, srv *httptest.Server, form url.Values) (int, tokenResponse) {
	t.Helper()
	resp, tr := exchange(t, c, srv, form)
	if resp.StatusCode != http.StatusOK && (tr.Error == "" || tr.ErrorDescription == "" || tr.AccessToken != "" || tr.RefreshToken != "") {
		t.Errorf("a refused refresh answered %d %+v; want an OAuth error and no token", resp.StatusCode, tr)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	return resp.StatusCode, tr
}

func TestSignInWithoutOfflineAccessGetsNoRefreshToken(t *testing.T) {
	_, srv, c := signInIssuer(t)
	p := newPKCE(t)
	resp, tr := exchange(t, c, srv, tokenForm(signIn(t, c, srv, p, "free"), p))
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" || tr.RefreshToken != "" {
		t.Fatalf("got %d %+v, want an access token and no refresh token", resp.StatusCode, tr)
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	iss, srv, c := signInIssuer(t)
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, Audiences: []string{issuerAudience}, RolesClaim: issuerRoles}, auth.NewKeySet(iss.URL))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a refresh token gives new tokens the API accepts and a new refresh token", func(t *testing.T) {
		first := offlineSignIn(t, c, srv, "paid")
		status, next := refresh(t, c, srv, refreshForm(first.RefreshToken))
		if status != http.StatusOK || next.RefreshToken == "" || next.RefreshToken == first.RefreshToken || next.AccessToken == first.AccessToken || next.IDToken == "" {
			t.Fatalf("got %d %+v; want new access, ID and refresh tokens", status, next)
		}
		if next.TokenType != "Bearer" || next.ExpiresIn != int(devissuer.AccessTokenTTL.Seconds()) || next.Scope != "openid profile offline_access" {
			t.Errorf("got %+v", next)
		}
		p, err := v.Verify(context.Background(), next.AccessToken)
		if err != nil || p.Subject != "dev|paid-user" {
			t.Fatalf("the API refuses the renewed access token: %v %+v", err, p)
		}
	})
	t.Run("a used refresh token is refused and revokes its whole family", func(t *testing.T) {
		first := offlineSignIn(t, c, srv, "admin")
		_, second := refresh(t, c, srv, refreshForm(first.RefreshToken))
		if status, tr := refresh(t, c, srv, refreshForm(first.RefreshToken)); status != 400 || tr.Error != "invalid_grant" {
			t.Fatalf("reuse: %d %+v; want 400 invalid_grant", status, tr)
		}
		if status, tr := refresh(t, c, srv, refreshForm(second.RefreshToken)); status != 400 || tr.Error != "invalid_grant" {
			t.Errorf("the successor of a reused token: %d %+v; want 400 invalid_grant, the family is revoked", status, tr)
		}
		other := offlineSignIn(t, c, srv, "admin")
		if status, tr := refresh(t, c, srv, refreshForm(other.RefreshToken)); status != 200 {
			t.Errorf("another sign-in's token: %d %+v; a reuse must revoke its own family only", status, tr)
		}
	})
	t.Run("a refresh token presented by another client is refused and not consumed", func(t *testing.T) {
		first := offlineSignIn(t, c, srv, "free")
		f := refreshForm(first.RefreshToken)
		f.Set("client_id", otherClient)
		if status, tr := refresh(t, c, srv, f); status != 400 || tr.Error != "invalid_grant" {
			t.Fatalf("other client: %d %+v; want 400 invalid_grant", status, tr)
		}
		if status, tr := refresh(t, c, srv, refreshForm(first.RefreshToken)); status != 200 {
			t.Errorf("its own client afterwards: %d %+v; want 200", status, tr)
		}
	})
	for _, tc := range []struct {
		name   string
		edit   func(f url.Values)
		status int
		code   string
	}{
		{"an unknown client is 401 invalid_client", func(f url.Values) { f.Set("client_id", "nobody") }, 401, "invalid_client"},
		{"an unknown refresh token is 400 invalid_grant", func(f url.Values) { f.Set("refresh_token", "guessed") }, 400, "invalid_grant"},
		{"an empty refresh token is 400 invalid_grant", func(f url.Values) { f.Set("refresh_token", "") }, 400, "invalid_grant"},
		{"a scope wider than the sign-in's is 400 invalid_scope", func(f url.Values) { f.Set("scope", "openid profile offline_access admin") }, 400, "invalid_scope"},
		{"a repeated refresh token is 400 invalid_request", func(f url.Values) { f.Add("refresh_token", "x") }, 400, "invalid_request"},
		{"a narrower scope is allowed", func(f url.Values) { f.Set("scope", "openid") }, 200, ""},
		{"no scope is allowed", func(f url.Values) { f.Del("scope") }, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := refreshForm(offlineSignIn(t, c, srv, "free").RefreshToken)
			tc.edit(f)
			if status, tr := refresh(t, c, srv, f); status != tc.status || tr.Error != tc.code {
				t.Errorf("got %d %+v; want %d %q", status, tr, tc.status, tc.code)
			}
		})
	}
	t.Run("a refresh token unused for longer than its TTL is refused", func(t *testing.T) {
		first := offlineSignIn(t, c, srv, "free")
		iss.SetClock(func() time.Time { return time.Now().Add(devissuer.RefreshTokenTTL + time.Second) })
		defer iss.SetClock(time.Now)
		if status, tr := refresh(t, c, srv, refreshForm(first.RefreshToken)); status != 400 || tr.Error != "invalid_grant" {
			t.Errorf("got %d %+v; want 400 invalid_grant", status, tr)
		}
	})
	t.Run("a session ends a day after its sign-in, however often it refreshes", func(t *testing.T) {
		tok := offlineSignIn(t, c, srv, "free").RefreshToken
		defer iss.SetClock(time.Now)
		start := time.Now()
		for h := 7; ; h += 7 {
			iss.SetClock(func() time.Time { return start.Add(time.Duration(h) * time.Hour) })
			status, tr := refresh(t, c, srv, refreshForm(tok))
			if h < 24 {
				if status != 200 {
					t.Fatalf("refresh after %dh: %d %+v", h, status, tr)
				}
				tok = tr.RefreshToken
				continue
			}
			if status != 400 || tr.Error != "invalid_grant" {
				t.Errorf("refresh after %dh: %d %+v; want 400 invalid_grant", h, status, tr)
			}
			return
		}
	})
}

// A token lives at least what expires_in says, wherever in its second it
// is issued: exp counts whole seconds, and rounded down it would cut up to
// a second off, half the life of a two-second token, which a verifier with
// no clock skew then refuses while the client still thinks it good.
func TestTokensLiveAtLeastTheirTTL(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name    string
		issued  time.Duration // into the second start begins
		wantExp int64         // seconds after start
	}{
		{"a token issued on a whole second expires ttl later", 0, 2},
		{"a token issued mid-second expires at the end of its ttl's last second", 500 * time.Millisecond, 3},
		{"a token issued at the end of a second still lives its whole ttl", time.Second - time.Nanosecond, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iss, srv, c := signInIssuer(t)
			iss.AccessTTL = 2 * time.Second
			now := start.Add(tc.issued)
			iss.SetClock(func() time.Time { return now })
			first := offlineSignIn(t, c, srv, "free")
			_, next := refresh(t, c, srv, refreshForm(first.RefreshToken))
			minted, err := iss.Mint(devissuer.Personas[0], 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			tokens := map[string]string{"sign-in access": first.AccessToken, "sign-in ID": first.IDToken, "renewed access": next.AccessToken, "renewed ID": next.IDToken, "minted": minted}
			for name, token := range tokens {
				claims := decodeClaims(t, token)
				iat, exp := int64(claims["iat"].(float64)), int64(claims["exp"].(float64))
				if iat != start.Unix() || exp != start.Unix()+tc.wantExp {
					t.Errorf("%s token: iat %+d exp %+d (seconds after start); want iat +0 exp %+d", name, iat-start.Unix(), exp-start.Unix(), tc.wantExp)
				}
				if life := time.Unix(exp, 0).Sub(now); life < 2*time.Second {
					t.Errorf("%s token lives %v; want at least its 2s", name, life)
				}
			}
			for _, tr := range []tokenResponse{first, next} {
				if tr.ExpiresIn != 2 {
					t.Errorf("expires_in = %d; want 2", tr.ExpiresIn)
				}
			}
		})
	}
}

// Two tabs (or a thief and the owner) presenting the same refresh token at
// once: one wins, the other is a reuse.
func TestConcurrentUsesOfOneRefreshTokenYieldOneSuccess(t *testing.T) {
	_, srv, c := signInIssuer(t)
	tok := offlineSignIn(t, c, srv, "free").RefreshToken
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _ := refresh(t, c, srv, refreshForm(tok)); status == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d of 20 concurrent uses succeeded; want 1", ok)
	}
}

func decodeClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(token)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := tok.Claims(&signingKey().PublicKey, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
