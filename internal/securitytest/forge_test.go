package securitytest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/fnguard/fnguard/internal/jwssign"
)

var b64 = base64.RawURLEncoding

// forger makes the tokens of the hostile-input suite.
type forger struct {
	t        *testing.T
	iss      *Issuer
	attacker *rsa.PrivateKey
}

// claims returns valid admin claims changed by edit.
func (f forger) claims(edit func(c map[string]any)) map[string]any {
	c := f.iss.Claims(f.t, "admin", time.Hour)
	if edit != nil {
		edit(c)
	}
	return c
}

// sign signs claims with the issuer's real key, the header edited as in
// Issuer.Sign.
func (f forger) sign(header, claims map[string]any) string { return f.iss.Sign(f.t, header, claims) }

// signAttacker signs with a key the issuer never published.
func (f forger) signAttacker(header, claims map[string]any) string {
	tok, err := jwssign.Sign(f.attacker, header, claims)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// signRaw signs a header given as raw JSON (duplicate members and all)
// with the issuer's key.
func (f forger) signRaw(header string, claims map[string]any) string {
	c, _ := json.Marshal(claims)
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, f.iss.Signer().Key(), crypto.SHA256, sum[:])
	if err != nil {
		f.t.Fatal(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// unsigned is header.claims. with no signature, alg none style.
func (f forger) unsigned(header, claims map[string]any) string {
	in, err := jwssign.SigningInput(header, claims)
	if err != nil {
		f.t.Fatal(err)
	}
	return in + "."
}

// hs256 is the HS/RS confusion attack: an HMAC keyed with something public
// (the issuer's public key), hoping the verifier uses it as a secret.
func (f forger) hs256(secret []byte, claims map[string]any) string {
	in, err := jwssign.SigningInput(map[string]any{"alg": "HS256", "typ": "JWT", "kid": f.iss.Signer().KeyID()}, claims)
	if err != nil {
		f.t.Fatal(err)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + b64.EncodeToString(m.Sum(nil))
}

func (f forger) publicPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(&f.iss.Signer().Key().PublicKey)
	if err != nil {
		f.t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func (f forger) publicDER() []byte {
	return x509.MarshalPKCS1PublicKey(&f.iss.Signer().Key().PublicKey)
}

// attackerJWK is the attacker's public key as a JWK, for the jwk header.
func (f forger) attackerJWK(kid string) map[string]any {
	raw, err := json.Marshal(jose.JSONWebKey{Key: &f.attacker.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
	if err != nil {
		f.t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

// header returns a header with alg RS256, the attacker's kid, and extra.
func header(kid string, extra map[string]any) map[string]any {
	h := map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}
	maps.Copy(h, extra)
	return h
}

// segments splits a compact JWS.
func segments(tok string) (h, c, s string) {
	parts := strings.SplitN(tok, ".", 3)
	return parts[0], parts[1], parts[2]
}

// stdBase64 re-encodes each segment of tok with padded standard base64,
// which RFC 7515 does not allow.
func stdBase64(tok string) string {
	parts := strings.Split(tok, ".")
	for i, p := range parts {
		raw, _ := b64.DecodeString(p)
		parts[i] = base64.StdEncoding.EncodeToString(raw)
	}
	return strings.Join(parts, ".")
}

// flipBit changes one bit in the middle of tok's signature.
func flipBit(tok string) string {
	h, c, s := segments(tok)
	sig, _ := b64.DecodeString(s)
	sig[len(sig)/2] ^= 0x01
	return h + "." + c + "." + b64.EncodeToString(sig)
}

// trap is a loopback server that no token header may ever make the
// service contact: it counts every request it gets, and answers with the
// attacker's keys, so that a service that did fetch them would also let
// the forged token in.
type trap struct {
	URL  string
	hits atomic.Int64
}

func newTrap(t *testing.T, f forger) *trap {
	tr := &trap{}
	jwks := mustJSON(map[string]any{"keys": []any{f.attackerJWK("attacker")}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	t.Cleanup(srv.Close)
	tr.URL = srv.URL
	return tr
}
