package devissuer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"
)

// Refresh tokens follow what Auth0 does with rotation on (and RFC 9700
// §4.14.2 asks of public clients): each one is good for a single use and
// comes back with a new one; presenting one that was already used means
// two parties hold the same session, so the whole family (every token
// descended from the same sign-in) is revoked. A refresh token is bound to
// the client it was issued to, and issued only when the app asked for
// offline_access.

const (
	// RefreshTokenTTL is how long an unused refresh token stays good:
	// a session idle for longer must sign in again.
	RefreshTokenTTL = 8 * time.Hour
	// maxSessionTTL caps a family whatever its refreshes: a session lasts
	// at most this long after its sign-in.
	maxSessionTTL = 24 * time.Hour
	// maxSessions bounds how many sign-ins hold refresh tokens at once;
	// a rotation never counts against it, so a live session keeps working.
	maxSessions = 4096
	// maxUsedPerSession bounds the used tokens a session remembers for
	// reuse detection (a page renewing every second would otherwise pile
	// them up for a day); an older one is refused as unknown, without
	// revoking the session.
	maxUsedPerSession = 256
	offlineAccess     = "offline_access"
)

// family is one sign-in's chain of refresh tokens.
type family struct {
	clientID string
	persona  Persona
	scope    string
	authTime time.Time // when the user signed in
	expires  time.Time // the chain's absolute end
	revoked  bool
	tokens   []string // keys in refreshTokens of every token of the chain
}

// refreshToken is what a refresh token stands for. Tokens are kept by
// their SHA-256, so the issuer's memory holds no usable credential.
type refreshToken struct {
	family  *family
	expires time.Time
	used    bool
}

func refreshKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newRefreshToken adds a token to f. The caller holds i.signIn.mu.
func (i *Issuer) newRefreshToken(f *family) string {
	now := i.now()
	i.pruneRefreshTokens(now)
	token := randomID()
	key := refreshKey(token)
	expires := now.Add(i.refreshTTL())
	if expires.After(f.expires) {
		expires = f.expires
	}
	if i.signIn.refresh == nil {
		i.signIn.refresh = map[string]*refreshToken{}
	}
	i.signIn.refresh[key] = &refreshToken{family: f, expires: expires}
	f.tokens = append(f.tokens, key)
	if len(f.tokens) > maxUsedPerSession+1 {
		delete(i.signIn.refresh, f.tokens[0])
		f.tokens = f.tokens[1:]
	}
	return token
}

// pruneRefreshTokens forgets tokens past their family's end: they can
// neither be used nor betray a reuse any more. A used token is kept until
// then, as it is what reveals a stolen copy. It returns how many sessions
// are left (each holds exactly one unused token).
func (i *Issuer) pruneRefreshTokens(now time.Time) int {
	sessions := 0
	for k, rt := range i.signIn.refresh {
		switch {
		case !now.Before(rt.family.expires) || rt.family.revoked:
			delete(i.signIn.refresh, k)
		case !rt.used:
			sessions++
		}
	}
	return sessions
}

// startFamily opens a chain of refresh tokens for a sign-in, when its
// scope asked for offline_access; it returns "" otherwise.
func (i *Issuer) startFamily(g grant) (string, error) {
	if !slices.Contains(strings.Fields(g.scope), offlineAccess) {
		return "", nil
	}
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	now := i.now()
	if i.pruneRefreshTokens(now) >= maxSessions {
		return "", errors.New("too many sessions; try again later")
	}
	f := &family{clientID: g.clientID, persona: g.persona, scope: g.scope, authTime: now, expires: now.Add(maxSessionTTL)}
	return i.newRefreshToken(f), nil
}

// rotate redeems a refresh token presented by clientID and returns the
// grant it stands for with its successor. A token used before revokes its
// family (reuse detection).
func (i *Issuer) rotate(token, clientID, scope string) (grant, string, *oauthError) {
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	now := i.now()
	rt, ok := i.signIn.refresh[refreshKey(token)]
	switch {
	case !ok || rt.family.revoked || !now.Before(rt.family.expires):
		return grant{}, "", &oauthError{"invalid_grant", "the refresh token is unknown, expired or revoked"}
	case rt.family.clientID != clientID:
		// Not consumed: the client it belongs to may still use it.
		return grant{}, "", &oauthError{"invalid_grant", "the refresh token was issued to another client"}
	case rt.used:
		rt.family.revoked = true
		for _, k := range rt.family.tokens {
			delete(i.signIn.refresh, k)
		}
		return grant{}, "", &oauthError{"invalid_grant", "the refresh token was already used: the session is revoked, sign in again"}
	case !now.Before(rt.expires):
		return grant{}, "", &oauthError{"invalid_grant", "the refresh token is unknown, expired or revoked"}
	case scope != "" && !isSubset(strings.Fields(scope), strings.Fields(rt.family.scope)):
		// RFC 6749 §6: a refresh may narrow the scope, never widen it.
		return grant{}, "", &oauthError{"invalid_scope", "the scope asks for more than the sign-in granted"}
	}
	rt.used = true
	next := i.newRefreshToken(rt.family)
	f := rt.family
	// No nonce: it belongs to the sign-in's ID token only (OIDC §12.2).
	return grant{clientID: f.clientID, persona: f.persona, scope: f.scope, authTime: f.authTime}, next, nil
}

func isSubset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

func (i *Issuer) refreshTTL() time.Duration {
	if i.RefreshTTL > 0 {
		return i.RefreshTTL
	}
	return RefreshTokenTTL
}

func (i *Issuer) accessTTL() time.Duration {
	if i.AccessTTL > 0 {
		return i.AccessTTL
	}
	return AccessTokenTTL
}
