package auth

import (
	"strings"
	"testing"

	"github.com/fnguard/fnguard/internal/jws"
)

// parseHeader runs before go-jose sees a token. go-jose refuses some of
// these shapes on its own too; this table proves our layer does, so an
// upgrade of the library cannot silently remove the protection.
func TestParseHeaderRefusesBeforeTheLibrary(t *testing.T) {
	const sig = "c2ln"
	tok := func(header string) string { return b64([]byte(header)) + ".e30." + sig }
	tests := []struct {
		name   string
		token  string
		reason string // "" when the header is accepted
	}{
		{"a plain RS256 header is accepted", tok(`{"alg":"RS256","kid":"k1","typ":"JWT"}`), ""},
		{"duplicate alg is refused", tok(`{"alg":"RS256","kid":"k1","alg":"RS256"}`), "duplicate"},
		{"duplicate alg behind a JSON escape is refused", tok(`{"alg":"RS256","\u0061lg":"none","kid":"k1"}`), "duplicate"},
		{"duplicate kid is refused", tok(`{"alg":"RS256","kid":"k1","kid":"k2"}`), "duplicate"},
		{"jku is refused", tok(`{"alg":"RS256","kid":"k1","jku":"https://evil.example/jwks"}`), `"jku" refused`},
		{"jwk is refused", tok(`{"alg":"RS256","kid":"k1","jwk":{"kty":"RSA"}}`), `"jwk" refused`},
		{"x5u is refused", tok(`{"alg":"RS256","kid":"k1","x5u":"https://evil.example/cert"}`), `"x5u" refused`},
		{"x5c is refused", tok(`{"alg":"RS256","kid":"k1","x5c":["MIIB"]}`), `"x5c" refused`},
		{"crit is refused", tok(`{"alg":"RS256","kid":"k1","crit":["exp"],"exp":1}`), `"crit" refused`},
		{"zip is refused", tok(`{"alg":"RS256","kid":"k1","zip":"DEF"}`), `"zip" refused`},
		{"b64 is refused", tok(`{"alg":"RS256","kid":"k1","b64":false}`), `"b64" refused`},
		{"alg none is refused", tok(`{"alg":"none","kid":"k1"}`), "not accepted"},
		{"alg of another case is refused", tok(`{"alg":"rs256","kid":"k1"}`), "not accepted"},
		{"missing alg is refused", tok(`{"kid":"k1"}`), "no alg"},
		{"numeric alg is refused", tok(`{"alg":256,"kid":"k1"}`), "alg is not a string"},
		{"missing kid is refused", tok(`{"alg":"RS256"}`), "no kid"},
		{"empty kid is refused", tok(`{"alg":"RS256","kid":""}`), "no kid"},
		{"kid over the limit is refused", tok(`{"alg":"RS256","kid":"` + strings.Repeat("k", jws.MaxKeyIDLength+1) + `"}`), "kid too long"},
		{"kid at the limit is accepted", tok(`{"alg":"RS256","kid":"` + strings.Repeat("k", jws.MaxKeyIDLength) + `"}`), ""},
		{"typ JOSE is refused", tok(`{"alg":"RS256","kid":"k1","typ":"JOSE"}`), "typ"},
		{"trailing JSON is refused", tok(`{"alg":"RS256","kid":"k1"} {}`), "trailing"},
		{"a JSON array is refused", tok(`["alg","RS256"]`), "not a JSON object"},
		{"an empty signature is refused", b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + ".e30.", "empty"},
		{"a padded segment is refused", b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + ".e30=." + sig, "base64url"},
		{"a payload with stray bits in its last character is refused", b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + ".e31." + sig, "canonical"},
		{"a line break inside the signature is refused", b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + ".e30.c2\nln", "base64url"},
		{"two segments are refused", b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + ".e30", "compact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseHeader(tc.token, "RS256")
			switch {
			case tc.reason == "" && err != nil:
				t.Fatalf("parseHeader: %v", err)
			case tc.reason != "" && (err == nil || !strings.Contains(err.Error(), tc.reason)):
				t.Fatalf("parseHeader = %v, want an error about %q", err, tc.reason)
			}
		})
	}
}
