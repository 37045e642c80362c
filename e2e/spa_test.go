package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/functions"
	"github.com/fnguard/fnguard/web"
)

// wantStatus is the status each persona must get from an endpoint, given
// what the page says about who may call it: the server has to agree with
// every claim the page makes.
var wantStatus = map[string]map[string]int{
	web.Anyone:      {"anonymous": 200, "free": 200, "paid": 200, "admin": 200},
	web.SignedIn:    {"anonymous": 401, "free": 200, "paid": 200, "admin": 200},
	web.PaidOrAdmin: {"anonymous": 401, "free": 403, "paid": 200, "admin": 200},
	web.AdminOnly:   {"anonymous": 401, "free": 403, "paid": 403, "admin": 200},
}

// statusFor is what persona must get from r. Netlify's proxy-level rules
// cannot tell "not signed in" from "not enough rights": whoever the role
// rule does not let through falls to the fallback rule's 401 page.
func statusFor(r row, persona string) int {
	want := wantStatus[r.Who][persona]
	if r.Credential == string(functions.Cookie) && want == 403 {
		return 401
	}
	return want
}

// flagshipRows must always be on the page, whatever other strategies add.
var flagshipRows = []string{"GET /api/health", "GET /api/public", "GET /api/me", "GET /api/paid", "GET /api/admin"}

// proxyRows are netlify.toml's role rules, which the local server enforces.
var proxyRows = []string{"GET /admin-only/", "GET /paid-only/"}

var personas = []string{"anonymous", "free", "paid", "admin"}

func TestEveryPersonaSeesTheMatrixTheServerEnforces(t *testing.T) {
	requireChromium(t)
	base := startServer(t)
	for _, persona := range personas {
		t.Run(persona, func(t *testing.T) {
			b := newBrowser(t)
			b.open(t, base+"/")
			if persona == "anonymous" {
				checkLayout(t, b, "not-called")
				if got := b.text(t, "#status"); !strings.Contains(got, "not signed in") {
					t.Errorf("status = %q, want it to say the visitor is not signed in", got)
				}
				if b.visible(t, "#identity") || b.visible(t, "#sign-out") || !b.visible(t, "#sign-in") {
					t.Error("a visitor sees the identity or Sign out, or no Sign in")
				}
			} else {
				b.signIn(t, persona)
				checkIdentity(t, b, persona)
			}
			rows := b.press(t)
			checkMatrix(t, persona, rows)
			checkRows(t, rows, proxyRows)
			checkNoTokenInStorage(t, b)
			checkCookie(t, b, rows, persona != "anonymous")
			if persona != "anonymous" {
				checkProxyCookie(t, b, persona)
			}
			if low := b.lowContrastText(t); len(low) > 0 {
				t.Errorf("text under 4.5:1 contrast: %v", low)
			}
			checkLayout(t, b, persona)
			checkConsole(t, b, deniedURLs(base, persona, rows))
			if persona == "anonymous" {
				return
			}

			b.signOut(t)
			after := b.pressAll(t)
			checkMatrix(t, "anonymous", after)
			checkCookie(t, b, after, false)
			if b.visible(t, "#identity") || b.visible(t, "#sign-out") || !b.visible(t, "#sign-in") {
				t.Error("after sign-out, the identity or Sign out is still shown, or Sign in is not")
			}
		})
	}
}

func checkIdentity(t *testing.T, b *browser, persona string) {
	t.Helper()
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"#sub":         p.Subject,
		"#roles":       joinOrNone(p.Roles),
		"#permissions": joinOrNone(p.Permissions),
		"#status":      "Signed in as " + p.Subject + ".",
	}
	for sel, w := range want {
		if got := b.text(t, sel); got != w {
			t.Errorf("%s = %q, want %q", sel, got, w)
		}
	}
	if !b.visible(t, "#identity") || !b.visible(t, "#sign-out") || b.visible(t, "#sign-in") {
		t.Error("signed in, but the identity or Sign out is hidden, or Sign in is shown")
	}
}

func joinOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func checkMatrix(t *testing.T, persona string, rows []row) {
	t.Helper()
	for _, r := range rows {
		if _, ok := wantStatus[r.Who]; !ok {
			t.Errorf("%s: the page says %q may call it, which the test cannot check", r.Endpoint, r.Who)
			continue
		}
		want := statusFor(r, persona)
		wantOutcome := "allowed"
		if want >= 400 {
			wantOutcome = "denied"
		}
		if r.Status != want || r.Outcome != wantOutcome {
			t.Errorf("%s as %s: page shows %d %s, want %d %s", r.Endpoint, persona, r.Status, r.Outcome, want, wantOutcome)
		}
		if r.Credential == string(functions.Cookie) && r.Status == 401 && r.Detail != "no role rule let you in: fallback page" {
			t.Errorf("%s: detail %q, want the page to name the fallback rule", r.Endpoint, r.Detail)
		}
		if wantBadge := r.badgeFor(); r.Badge != wantBadge {
			t.Errorf("%s: badge reads %q, want %q", r.Endpoint, r.Badge, wantBadge)
		}
	}
	checkRows(t, rows, flagshipRows)
}

// checkRows fails unless the page has a row for each endpoint of want.
func checkRows(t *testing.T, rows []row, want []string) {
	t.Helper()
	var seen []string
	for _, r := range rows {
		seen = append(seen, r.Endpoint)
	}
	for _, e := range want {
		if !slices.Contains(seen, e) {
			t.Errorf("the page has no row for %s (rows: %v)", e, seen)
		}
	}
}

// badgeFor is what the result's badge must read for the row's data.
func (r row) badgeFor() string {
	if r.Status == 0 {
		return "failed"
	}
	return strconv.Itoa(r.Status) + " " + r.Outcome
}

// checkNoTokenInStorage: tokens live in memory only, so nothing shaped
// like a JWT may be in web storage.
func checkNoTokenInStorage(t *testing.T, b *browser) {
	t.Helper()
	var dump string
	b.eval(t, `JSON.stringify({local: {...localStorage}, session: {...sessionStorage}})`, &dump)
	if strings.Contains(dump, "eyJ") {
		t.Errorf("web storage holds a token: %s", dump)
	}
}

// checkCookie: the nf_jwt cookie is set while signed in if, and only if,
// the page lists an endpoint behind Netlify's proxy-level rules and the
// server offers the token for it.
func checkCookie(t *testing.T, b *browser, rows []row, signedIn bool) {
	t.Helper()
	var usesCookie bool
	b.eval(t, `fetch('/spa-config.json').then(r => r.json()).then(c => Boolean(c.netlifyTokenUrl) && c.endpoints.some(e => e.credential === 'cookie'))`, &usesCookie)
	_, has := b.cookies(t)["nf_jwt"]
	if want := signedIn && usesCookie; has != want {
		t.Errorf("nf_jwt cookie present = %v, want %v (signed in %v, proxy-level rows and exchange %v)", has, want, signedIn, usesCookie)
	}
}

// checkProxyCookie: nf_jwt holds what Netlify's rules read, an HS256
// Identity token of the persona with its roles at app_metadata.roles (not
// the RS256 access token), in a SameSite=Strict cookie for the whole site
// that expires with the token.
func checkProxyCookie(t *testing.T, b *browser, persona string) {
	t.Helper()
	p, err := devissuer.LookupPersona(persona)
	if err != nil {
		t.Fatal(err)
	}
	var c *network.Cookie
	b.run(t, "read nf_jwt", chromedp.ActionFunc(func(ctx context.Context) error {
		cs, err := storage.GetCookies().Do(ctx)
		for _, ck := range cs {
			if ck.Name == "nf_jwt" {
				c = ck
			}
		}
		return err
	}))
	if c == nil {
		t.Fatal("no nf_jwt cookie")
	}
	if c.SameSite != network.CookieSameSiteStrict || c.Path != "/" || c.Session || c.HTTPOnly {
		t.Errorf("nf_jwt SameSite=%s Path=%s session=%v httpOnly=%v, want Strict, /, an expiry, readable by the page", c.SameSite, c.Path, c.Session, c.HTTPOnly)
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		t.Fatalf("nf_jwt is not a compact JWS: %d parts", len(parts))
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Sub         string                   `json:"sub"`
		Aud         any                      `json:"aud"`
		Exp         float64                  `json:"exp"`
		AppMetadata struct{ Roles []string } `json:"app_metadata"`
	}
	for i, v := range []any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err == nil {
			err = json.Unmarshal(raw, v)
		}
		if err != nil {
			t.Fatalf("nf_jwt part %d: %v", i, err)
		}
	}
	if header.Alg != "HS256" || claims.Sub != p.Subject || claims.Aud != nil || !slices.Equal(claims.AppMetadata.Roles, p.Roles) {
		t.Errorf("nf_jwt: alg %s, sub %s, aud %v, roles %v; want an HS256 Identity token for %s with roles %v", header.Alg, claims.Sub, claims.Aud, claims.AppMetadata.Roles, p.Subject, p.Roles)
	}
	if c.Expires != claims.Exp {
		t.Errorf("the cookie expires at %v, the token at %v", c.Expires, claims.Exp)
	}
}

// deniedURLs are the URLs that answer 401 or 403 to persona: Chromium
// logs "Failed to load resource" for each, which is expected. A single-use
// row is refused when it asks for its token.
func deniedURLs(base, persona string, rows []row) []string {
	var out []string
	for _, r := range rows {
		if statusFor(r, persona) < 400 {
			continue
		}
		path := r.TokenPath
		if path == "" {
			_, path, _ = strings.Cut(r.Endpoint, " ")
		}
		out = append(out, base+path)
	}
	return out
}

// checkConsole fails on any console error or warning, uncaught exception,
// or failed load other than the expected denials.
func checkConsole(t *testing.T, b *browser, expectedFailures []string) {
	t.Helper()
	for _, e := range b.consoleEntries() {
		if e.Source == "network" && slices.Contains(expectedFailures, e.URL) {
			continue
		}
		t.Errorf("console: %s", e)
	}
}

func (b *browser) visible(t *testing.T, sel string) bool {
	t.Helper()
	var visible bool
	b.eval(t, `document.querySelector('`+sel+`').checkVisibility()`, &visible)
	return visible
}

func TestSignInPageOffersPersonasAndCancelReturnsToTheApp(t *testing.T) {
	requireChromium(t)
	base := startServer(t)
	b := newBrowser(t)
	b.open(t, base+"/")
	b.run(t, "open the sign-in page",
		chromedp.Click(`#sign-in`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[name="persona"]`, chromedp.ByQuery))
	var page struct {
		Path     string   `json:"path"`
		Personas []string `json:"personas"`
		Labelled bool     `json:"labelled"`
		Legend   string   `json:"legend"`
	}
	b.eval(t, `({
		path: location.pathname,
		personas: [...document.querySelectorAll('button[name="persona"]')].map(b => b.value),
		labelled: [...document.querySelectorAll('button[name="persona"]')].every(b => document.getElementById(b.getAttribute('aria-describedby'))),
		legend: document.querySelector('legend').textContent,
	})`, &page)
	if page.Path != "/dev-issuer/authorize" || !slices.Equal(page.Personas, []string{"free", "paid", "admin"}) || !page.Labelled || page.Legend != "Sign in as" {
		t.Errorf("sign-in page = %+v, want the dev issuer's /authorize offering free, paid, admin, each described", page)
	}
	b.screenshot(t, "sign-in-page")
	if low := b.lowContrastText(t); len(low) > 0 {
		t.Errorf("sign-in page text under 4.5:1 contrast: %v", low)
	}
	b.run(t, "cancel",
		chromedp.Click(`button[name="cancel"]`, chromedp.ByQuery),
		chromedp.WaitReady(`body[data-ready="true"]`, chromedp.ByQuery))
	if got := b.text(t, "#status"); got != "Sign-in failed: the user cancelled sign-in" {
		t.Errorf("status after cancel = %q", got)
	}
	var loc string
	b.run(t, "location", chromedp.Location(&loc))
	if loc != base+"/" {
		t.Errorf("after cancel the app is at %s, want %s/ with the code and state removed", loc, base)
	}
	checkConsole(t, b, nil)
}

// TestCORS serves the app from one origin and the API and issuer from
// another, as when the app is on a CDN and the API elsewhere.
func TestCORSAllowsTheConfiguredOriginAndTheBrowserBlocksAnother(t *testing.T) {
	requireChromium(t)
	appLn, otherLn := listen(t), listen(t)
	appOrigin, otherOrigin := "http://"+appLn.Addr().String(), "http://"+otherLn.Addr().String()
	api := startServer(t, "CORS_ALLOWED_ORIGINS="+appOrigin)

	spa := web.Config{
		Domain:    api + strings.TrimSuffix(config.DevIssuerPath, "/"),
		ClientID:  config.DevClientID,
		Audience:  config.DevAudience,
		APIOrigin: api,
		MePath:    config.LocalBasePath + "/me",
		DevIssuer: true,
		Endpoints: web.Endpoints(config.LocalBasePath, nil),
	}
	h, err := web.Handler(web.Files(), spa)
	if err != nil {
		t.Fatal(err)
	}
	for _, ln := range []net.Listener{appLn, otherLn} {
		srv := httptest.NewUnstartedServer(h)
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
	}

	t.Run("the allowed origin signs in and calls the API", func(t *testing.T) {
		b := newBrowser(t)
		b.open(t, appOrigin+"/")
		b.signIn(t, "admin")
		checkIdentity(t, b, "admin")
		rows := b.press(t)
		checkMatrix(t, "admin", rows)
		b.screenshot(t, "cors-allowed-admin")
		checkConsole(t, b, nil)
	})

	t.Run("another origin gets no answer the browser will show it", func(t *testing.T) {
		b := newBrowser(t)
		b.open(t, otherOrigin+"/")
		rows := b.press(t)
		for _, r := range rows {
			if r.Status != 0 || r.Outcome != "error" || r.Badge != "failed" {
				t.Errorf("%s from a disallowed origin: page shows %d %q %q, want the fetch to fail", r.Endpoint, r.Status, r.Outcome, r.Badge)
			}
		}
		var blocked int
		for _, e := range b.consoleEntries() {
			if strings.Contains(e.Text, "blocked by CORS policy") {
				blocked++
			}
		}
		if blocked != len(rows) {
			t.Errorf("Chromium reported %d CORS blocks, want %d (one per endpoint); console: %v", blocked, len(rows), b.consoleEntries())
		}
		b.screenshot(t, "cors-blocked")

		// Signing in from there stops at the issuer: it never redirects
		// to an origin it does not know.
		b.run(t, "sign in from a disallowed origin",
			chromedp.Click(`#sign-in`, chromedp.ByQuery),
			chromedp.WaitVisible(`[role="alert"]`, chromedp.ByQuery))
		if got := b.text(t, `[role="alert"]`); !strings.Contains(got, "redirect_uri is not registered") {
			t.Errorf("issuer page says %q, want it to refuse the redirect_uri", got)
		}
		var loc string
		b.run(t, "location", chromedp.Location(&loc))
		if !strings.HasPrefix(loc, api+config.DevIssuerPath+"authorize?") {
			t.Errorf("browser is at %s, want to stay on the issuer's page", loc)
		}
	})
}

// TestKeyboard: everything works without a mouse, in a sensible tab order:
// the skip link, Sign in, then the persona page's buttons.
func TestKeyboardOnlySignIn(t *testing.T) {
	requireChromium(t)
	base := startServer(t)
	b := newBrowser(t)
	b.open(t, base+"/")
	focused := func() string {
		var s string
		b.eval(t, `(() => { const e = document.activeElement; return e.id || e.getAttribute('value') || e.className || e.tagName; })()`, &s)
		return s
	}
	tab := func() { b.run(t, "tab", chromedp.KeyEvent(kb.Tab)) }
	tab()
	if got := focused(); got != "skip" {
		t.Errorf("first tab stop = %q, want the skip link", got)
	}
	tab()
	if got := focused(); got != "sign-in" {
		t.Fatalf("second tab stop = %q, want the Sign in button", got)
	}
	b.run(t, "press Enter on Sign in",
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`button[name="persona"]`, chromedp.ByQuery))
	var stops []string
	for range 3 {
		tab()
		stops = append(stops, focused())
	}
	if !slices.Equal(stops, []string{"free", "paid", "admin"}) {
		t.Fatalf("tab stops on the sign-in page = %v, want free, paid, admin", stops)
	}
	b.run(t, "press Enter on admin",
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitReady(`body[data-ready="true"][data-signed-in="true"]`, chromedp.ByQuery))
	checkIdentity(t, b, "admin")
	if _, ok := b.cookies(t)["nf_jwt"]; !ok {
		t.Error("signed in, but no nf_jwt cookie")
	}
	// Tokens live in memory, so a reload signs you out: the cookie, which
	// would outlive the page, goes too.
	b.run(t, "reload", chromedp.Reload(), chromedp.WaitReady(`body[data-ready="true"][data-signed-in="false"]`, chromedp.ByQuery))
	if _, ok := b.cookies(t)["nf_jwt"]; ok {
		t.Error("after a reload the page is signed out, but nf_jwt is still set")
	}
	checkConsole(t, b, nil)
}
