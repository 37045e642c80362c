package lambdacold_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/internal/lambdatest"
)

func TestMain(m *testing.M) { lambdatest.Main(m) }

const audience = "https://api.fnguard.test"

// BenchmarkColdStart starts a fresh function process per iteration and
// times it from exec to the response of GET /.netlify/functions/api/me with
// a valid token, sent as Netlify sends it. Each process must discover the
// issuer, fetch its JWKS and verify the token's signature before it can
// answer. Besides the mean (ns/op) it reports the median and the extremes:
// a process start is at the mercy of the scheduler, and one slow start
// should not move the headline.
func BenchmarkColdStart(b *testing.B) {
	iss, payload, bin := setup(b)

	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rt := lambdatest.NewRuntime(b)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b.StartTimer()
		start := time.Now()
		proc := rt.Start(bin, "AUTH_ISSUER_URL="+iss.URL, "AUTH0_AUDIENCE="+audience)
		res, err := rt.Invoke(ctx, payload, lambdatest.InvokeOptions{})
		elapsed := time.Since(start)
		b.StopTimer()
		cancel()
		if err != nil || res.Err != nil {
			b.Fatalf("invoke: %v %v\n%s", err, res.Err, proc.Stderr())
		}
		resp, err := res.HTTP()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("response %v, %v; want 200\n%s", resp, err, proc.Stderr())
		}
		proc.Stop()
		times = append(times, elapsed)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(times[len(times)/2]), "median-ms")
	b.ReportMetric(ms(times[0]), "min-ms")
	b.ReportMetric(ms(times[len(times)-1]), "max-ms")
}

// BenchmarkRSS answers 10,000 invocations of GET /api/me (cached token)
// with one function process per iteration and reports its resident set
// size afterwards, from /proc (Linux only).
func BenchmarkRSS(b *testing.B) {
	iss, payload, bin := setup(b)
	for i := 0; i < b.N; i++ {
		rt := lambdatest.NewRuntime(b)
		proc := rt.Start(bin, "AUTH_ISSUER_URL="+iss.URL, "AUTH0_AUDIENCE="+audience)
		for range 10000 {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			res, err := rt.Invoke(ctx, payload, lambdatest.InvokeOptions{})
			cancel()
			if err != nil || res.Err != nil {
				b.Fatalf("invoke: %v %v\n%s", err, res.Err, proc.Stderr())
			}
		}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", proc.Pid()))
		if err != nil {
			b.Skip("no /proc:", err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(kb), " kB"))
				b.ReportMetric(float64(n)/1024, "rss-MiB")
			}
		}
		proc.Stop()
	}
}

// setup is a loopback issuer, a Netlify event for GET /api/me with one of
// its tokens, and the flagship built as make netlify builds it.
func setup(b *testing.B) (*devissuer.Issuer, []byte, string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	iss := devissuer.New(srv.URL+"/", key, audience, auth.DefaultRolesClaim)
	mux.Handle("/", iss.Handler())
	persona, err := devissuer.LookupPersona("free")
	if err != nil {
		b.Fatal(err)
	}
	token, err := iss.Mint(persona, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "https://site.test/.netlify/functions/api/me", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	payload := lambdatest.NetlifyEvent(r)
	bin := lambdatest.Build(b, "github.com/fnguard/fnguard")
	return iss, payload, bin
}
