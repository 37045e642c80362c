package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fnguard/fnguard/config"
)

// Access tokens of two seconds, and no clock-skew leeway at the API, so
// that a token is refused as soon as it expires: the session has to renew
// itself to go on.
var shortTokens = []string{"DEV_ISSUER_ACCESS_TTL=2s", "AUTH_CLOCK_SKEW=0s"}

// tokenRequests counts the page's requests to the issuer's token endpoint:
// the sign-in's code exchange, then one per renewal.
func (b *browser) tokenRequests(t *testing.T) int {
	t.Helper()
	var n int
	b.eval(t, `performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname.endsWith('/oauth/token')).length`, &n)
	return n
}

func TestSessionOutlivesItsAccessToken(t *testing.T) {
	requireChromium(t)
	base := startServer(t, shortTokens...)
	b := newBrowser(t)
	b.open(t, base+"/")
	b.signIn(t, "admin")
	checkIdentity(t, b, "admin")
	before := b.tokenRequests(t)

	// Past the first access token's life (and the proxy cookie's, which
	// expires with it).
	time.Sleep(3 * time.Second)
	rows := b.press(t)
	checkMatrix(t, "admin", rows)
	checkCookie(t, b, rows, true)
	if after := b.tokenRequests(t); after <= before || before < 1 {
		t.Errorf("token endpoint requests: %d at sign-in, %d after the calls; want renewals after the sign-in", before, after)
	}
	if got := b.text(t, "#status"); got != "Signed in as dev|admin-user." {
		t.Errorf("status = %q; want the person still signed in", got)
	}
	checkNoTokenInStorage(t, b)
	checkConsole(t, b, nil)
}

func TestSessionThatCannotBeRenewedAsksToSignInAgain(t *testing.T) {
	requireChromium(t)
	// A refresh token that expires before the access token does: when the
	// page comes to renew, the issuer refuses. With tokens this short
	// auth0-spa-js renews on every getTokenSilently (it renews within 60 s
	// of expiry), so the sign-in itself renews, and each renewal's refresh
	// token must still be good then: two seconds leave room for a loaded
	// machine, and the page looks again only when the access token expires.
	base := startServer(t, "DEV_ISSUER_ACCESS_TTL=4s", "DEV_ISSUER_REFRESH_TTL=2s", "AUTH_CLOCK_SKEW=0s")
	b := newBrowser(t)
	b.open(t, base+"/")
	b.signIn(t, "paid")

	// Nobody clicks: the page notices on its own when the token expires.
	b.run(t, "wait for the session to end", chromedp.WaitReady(`body[data-session="ended"]`, chromedp.ByQuery))
	status := b.text(t, "#status")
	if !strings.HasPrefix(status, "Your session has ended") || !strings.Contains(status, "Sign in again") {
		t.Errorf("status = %q; want it to say the session ended and to sign in again", status)
	}
	if !b.visible(t, "#sign-in") || b.visible(t, "#sign-out") || b.visible(t, "#identity") {
		t.Error("after the session ended, Sign in is hidden, or Sign out or the identity still shown")
	}
	if _, ok := b.cookies(t)["nf_jwt"]; ok {
		t.Error("the session ended, but nf_jwt is still set")
	}
	b.screenshot(t, "session-ended")
	// The rows now answer as to a visitor, which the status line says.
	rows := b.pressAll(t)
	checkMatrix(t, "anonymous", rows)
	tokenEndpoint := base + config.DevIssuerPath + "oauth/token"
	checkConsole(t, b, append(deniedURLs(base, "anonymous", rows), tokenEndpoint))
}
