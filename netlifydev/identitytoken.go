package netlifydev

import (
	"errors"
	"fmt"
	"strings"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"
)

// SignIdentityToken signs a development Netlify Identity token (what the
// nf_jwt cookie holds): HS256 with secret, roles placed at rolesPath. It
// exists for development and tests (a negative ttl signs a token that has
// already expired); in production Netlify Identity signs these.
func SignIdentityToken(secret []byte, rolesPath, sub string, roles []string, ttl time.Duration) (string, error) {
	if len(secret) == 0 || sub == "" || ttl == 0 || rolesPath == "" {
		return "", errors.New("a secret, a roles path, a subject and a lifetime are required")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	now := time.Now()
	claims := map[string]any{
		"sub":   sub,
		"email": sub + "@example.test",
		"iat":   now.Unix(),
		"exp":   now.Add(ttl).Unix(),
	}
	// Nest the roles along the dotted path: app_metadata.roles becomes
	// {"app_metadata": {"roles": [...]}}.
	segments := strings.Split(rolesPath, ".")
	node := claims
	for _, seg := range segments[:len(segments)-1] {
		next := map[string]any{}
		node[seg] = next
		node = next
	}
	node[segments[len(segments)-1]] = roles
	return jwt.Signed(signer).Claims(claims).CompactSerialize()
}
