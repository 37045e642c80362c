package bench_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/aws/aws-lambda-go/events"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/lambdahttp"
)

// BenchmarkRouter sends requests through routes.New with the full
// middleware stack (request log, recoverer, security headers, CORS,
// compression, then Authenticate and Require where the route has them).
func BenchmarkRouter(b *testing.B) {
	b.Run("public", func(b *testing.B) {
		h := newRouter(newVerifier(b, auth.Config{}))
		r := request("/api/public", "")
		serve(b, h, http.StatusOK, func(int) *http.Request { return r })
	})
	b.Run("me-cold-token", func(b *testing.B) {
		// Every iteration brings a token the verifier has not seen: the
		// pool is larger than the cache, and LRU order makes a cyclic
		// walk miss every time.
		v := newVerifier(b, coldConfig)
		h := newRouter(v)
		reqs := make([]*http.Request, 0, poolSize)
		for _, tok := range tokenPool(b) {
			reqs = append(reqs, request("/api/me", tok))
		}
		serve(b, h, http.StatusOK, func(i int) *http.Request { return reqs[i%len(reqs)] })
		assertNoHits(b, v)
	})
	b.Run("me-cached-token", func(b *testing.B) {
		h := newRouter(newVerifier(b, auth.Config{}))
		r := request("/api/me", mint(b, "paid"))
		serve(b, h, http.StatusOK, func(int) *http.Request { return r })
	})
	b.Run("admin-forbidden", func(b *testing.B) {
		h := newRouter(newVerifier(b, auth.Config{}))
		r := request("/api/admin", mint(b, "paid"))
		serve(b, h, http.StatusForbidden, func(int) *http.Request { return r })
	})
}

// BenchmarkAuthOnly compares the authentication middleware alone, around
// the same tiny handler: go-jwt-middleware v2 as its README sets it up
// (validator + CachingProvider, no token cache), and ours.
func BenchmarkAuthOnly(b *testing.B) {
	tok := mint(b, "paid")
	b.Run("stock-jwtmiddleware", func(b *testing.B) {
		h := stockHandler(b)
		r := request("/", tok)
		serve(b, h, http.StatusOK, func(int) *http.Request { return r })
	})
	b.Run("fnguard-cached", func(b *testing.B) {
		h := auth.Authenticate(newVerifier(b, auth.Config{}))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.FromContext(r.Context())
			writeSubject(w, p.Subject)
		}))
		r := request("/", tok)
		serve(b, h, http.StatusOK, func(int) *http.Request { return r })
	})
	b.Run("fnguard-cached-require", func(b *testing.B) {
		// Authenticate then Require, as the /paid route stacks them.
		h := auth.Authenticate(newVerifier(b, auth.Config{}))(auth.Require(auth.AnyRole("paid", "admin"))(
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p, _ := auth.FromContext(r.Context())
				writeSubject(w, p.Subject)
			})))
		r := request("/", tok)
		serve(b, h, http.StatusOK, func(int) *http.Request { return r })
	})
}

func writeSubject(w http.ResponseWriter, sub string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]string{"sub": sub})
}

// BenchmarkLambda is one invocation of GET /api/me with a cached token
// through the API Gateway v1 adapter, beside the same request through
// ServeHTTP: the difference is the price of the event translation.
func BenchmarkLambda(b *testing.B) {
	tok := mint(b, "paid")
	b.Run("v1-invoke", func(b *testing.B) {
		mux := newRouter(newVerifier(b, auth.Config{}))
		h := lambdahttp.New(mux, slog.New(slog.NewTextHandler(io.Discard, nil)))
		payload, err := json.Marshal(events.APIGatewayProxyRequest{
			HTTPMethod: http.MethodGet,
			Path:       "/api/me",
			Headers:    map[string]string{"Authorization": "Bearer " + tok},
			MultiValueHeaders: map[string][]string{
				"Authorization": {"Bearer " + tok},
			},
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: "bench", Stage: "prod"},
		})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		invoke := func() int {
			out, err := h.Invoke(ctx, payload)
			if err != nil {
				b.Fatal(err)
			}
			var resp struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				b.Fatal(err)
			}
			return resp.StatusCode
		}
		if got := invoke(); got != http.StatusOK {
			b.Fatalf("status %d, want 200", got)
		}
		b.ReportAllocs()
		b.ResetTimer()
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			out, err := h.Invoke(ctx, payload)
			if err != nil || len(out) == 0 {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		reportCPU(b, cpu)
		if got := invoke(); got != http.StatusOK {
			b.Fatalf("status %d, want 200", got)
		}
	})
	b.Run("servehttp", func(b *testing.B) {
		h := newRouter(newVerifier(b, auth.Config{}))
		r := request("/api/me", tok)
		serve(b, h, http.StatusOK, func(int) *http.Request { return r })
	})
}

// stockHandler is the stock go-jwt-middleware v2 path, as its README sets it
// up: CheckJWT over a validator with the caching JWKS provider, no cache of
// verified tokens.
func stockHandler(b *testing.B) http.Handler {
	b.Helper()
	u, err := url.Parse(issuer.URL)
	if err != nil {
		b.Fatal(err)
	}
	provider := jwks.NewCachingProvider(u, 5*time.Minute)
	val, err := validator.New(provider.KeyFunc, validator.RS256, issuer.URL, []string{audience})
	if err != nil {
		b.Fatal(err)
	}
	return jwtmiddleware.New(val.ValidateToken).CheckJWT(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(jwtmiddleware.ContextKey{}).(*validator.ValidatedClaims)
		writeSubject(w, c.RegisteredClaims.Subject)
	}))
}
