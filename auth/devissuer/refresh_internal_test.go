package devissuer

import (
	"testing"
	"time"
)

// A page renewing often (DEV_ISSUER_ACCESS_TTL=1s) must not fill the
// issuer with used tokens: its session keeps renewing past maxSessions
// renewals, memory stays bounded, and a token too old to be remembered is
// refused without revoking the live session.
func TestALongSessionKeepsRenewingInBoundedMemory(t *testing.T) {
	i := &Issuer{now: time.Now}
	first, err := i.startFamily(grant{clientID: "spa", scope: "openid offline_access"})
	if err != nil || first == "" {
		t.Fatalf("startFamily: %q, %v", first, err)
	}
	tok := first
	for n := 1; n <= maxSessions+maxUsedPerSession; n++ {
		_, next, oe := i.rotate(tok, "spa", "")
		if oe != nil {
			t.Fatalf("renewal %d refused: %v", n, oe)
		}
		tok = next
	}
	if got := len(i.signIn.refresh); got > maxUsedPerSession+1 {
		t.Errorf("the issuer holds %d refresh tokens for one session; want at most %d", got, maxUsedPerSession+1)
	}
	if _, _, oe := i.rotate(first, "spa", ""); oe == nil || oe.Code != "invalid_grant" {
		t.Errorf("a forgotten used token: %v, want invalid_grant", oe)
	}
	if _, _, oe := i.rotate(tok, "spa", ""); oe != nil {
		t.Errorf("the live session was revoked by a forgotten token: %v", oe)
	}
}

// A sign-in past the session cap is refused; a session already open still
// renews.
func TestSessionCapRefusesNewSignInsNotRenewals(t *testing.T) {
	i := &Issuer{now: time.Now}
	var last string
	for n := 0; n < maxSessions; n++ {
		tok, err := i.startFamily(grant{clientID: "spa", scope: "offline_access"})
		if err != nil {
			t.Fatalf("sign-in %d: %v", n+1, err)
		}
		last = tok
	}
	if _, err := i.startFamily(grant{clientID: "spa", scope: "offline_access"}); err == nil {
		t.Error("a sign-in past the cap got a refresh token")
	}
	if _, _, oe := i.rotate(last, "spa", ""); oe != nil {
		t.Errorf("a renewal at the cap was refused: %v", oe)
	}
}
