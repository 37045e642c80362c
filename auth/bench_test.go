package auth

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The verified-token cache is on by default, so a client sending the same
// token again is served from it; "uncached" is the cost of a token's first
// request (RS256 verification and claim parsing).
var cacheModes = []struct {
	name string
	size int
}{{"cached", 0}, {"uncached", -1}}

func benchVerifier(b *testing.B, cacheSize int) (*testIssuer, *Verifier) {
	b.Helper()
	ti := newTestIssuer(b)
	ks, _ := ti.keySet(b)
	v, err := NewVerifier(Config{Issuer: ti.URL, Audiences: []string{testAudience}, CacheSize: cacheSize}, ks)
	if err != nil {
		b.Fatal(err)
	}
	// Warm the key set: the benchmark measures requests, not the JWKS fetch.
	if _, err := v.Verify(context.Background(), ti.mint(b, "admin")); err != nil {
		b.Fatal(err)
	}
	return ti, v
}

func BenchmarkAuthorizedRequest(b *testing.B) {
	for _, mode := range cacheModes {
		b.Run(mode.name, func(b *testing.B) {
			ti, v := benchVerifier(b, mode.size)
			ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
			h := Authenticate(v)(Require(Role("admin"))(ok))
			req := httptest.NewRequest(http.MethodGet, "/api/admin", nil)
			req.Header.Set("Authorization", "Bearer "+ti.mint(b, "admin"))
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusNoContent {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, mode := range cacheModes {
		b.Run(mode.name, func(b *testing.B) {
			ti, v := benchVerifier(b, mode.size)
			token := ti.mint(b, "admin")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBearerToken is the token68 scan of a realistic bearer token
// (about 900 bytes), paid by every authorized request. The token's
// characters are random base64url, as a signed token's are: a repeated
// pattern would let the CPU's branch predictor learn it.
func BenchmarkBearerToken(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 2))
	const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	tok := make([]byte, 900)
	for i := range tok {
		tok[i] = b64url[rnd.IntN(len(b64url))]
	}
	tok[36], tok[700] = '.', '.'
	h := http.Header{"Authorization": {"Bearer " + string(tok)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BearerToken(h); err != nil {
			b.Fatal(err)
		}
	}
}
