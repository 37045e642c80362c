package singleuse_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/lambdahttp"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/onetime/onetimetest"
	"github.com/fnguard/fnguard/replay"
	"github.com/fnguard/fnguard/replay/redistest"
	"github.com/fnguard/fnguard/strategies/singleuse"
)

// deployment is the flagship and the reports function, each on its own
// loopback server as on Netlify: the function knows the flagship only by
// its JWKS URL.
type deployment struct {
	flagship *onetimetest.Flagship
	fnURL    string
	mux      *chi.Mux
}

func deploy(t *testing.T, redisURL string) *deployment {
	t.Helper()
	f := onetimetest.Start(t, nil)
	mux, err := fromConfig(config.Function{OneTimeJWKSURL: f.JWKSURL, RedisURL: redisURL}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &deployment{flagship: f, fnURL: srv.URL + singleuse.BasePath, mux: mux}
}

// backends runs each test against the in-memory store and a real Redis.
func backends(t *testing.T, test func(t *testing.T, d *deployment)) {
	t.Run("memory", func(t *testing.T) { test(t, deploy(t, "")) })
	t.Run("redis", func(t *testing.T) { test(t, deploy(t, redistest.Start(t).URL)) })
}

func TestTokenIsAcceptedOnceThenReplayIsRefused(t *testing.T) {
	backends(t, func(t *testing.T, d *deployment) {
		issued := d.flagship.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead)
		first := onetimetest.Do(t, http.MethodGet, d.fnURL, issued.Token, "", nil)
		if first.Status != 200 {
			t.Fatalf("first use = %d %s", first.Status, first.Body)
		}
		if b := first.JSON(t); b["sub"] != "dev|paid-user" || b["action"] != "read" {
			t.Fatalf("body %v", b)
		}
		if cc := first.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("Cache-Control %q", cc)
		}
		replayed := onetimetest.Do(t, http.MethodGet, d.fnURL, issued.Token, "", nil)
		if replayed.Status != 401 || replayed.JSON(t)["error"] != "invalid_token" {
			t.Fatalf("replay = %d %s; want 401 invalid_token", replayed.Status, replayed.Body)
		}
		if got, want := replayed.Header.Get("WWW-Authenticate"), `Bearer realm="fnguard", error="invalid_token", error_description="The token was already used"`; got != want {
			t.Fatalf("WWW-Authenticate %q; want %q", got, want)
		}
		if msg, _ := replayed.JSON(t)["message"].(string); !strings.Contains(msg, "already used") {
			t.Fatalf("message %q does not say the token was already used", msg)
		}
	})
}

func TestFiftyConcurrentRedemptionsOfOneTokenYieldOneSuccess(t *testing.T) {
	const n = 50
	backends(t, func(t *testing.T, d *deployment) {
		issued := d.flagship.Issue(t, "admin", onetime.TargetReports, onetime.ActionRead)
		start := make(chan struct{})
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req, _ := http.NewRequest(http.MethodGet, d.fnURL, nil)
				req.Header.Set("Authorization", "Bearer "+issued.Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[200] != 1 || count[401] != n-1 {
			t.Fatalf("statuses %v; want exactly one 200 and %d 401", count, n-1)
		}
	})
}

func TestTheFunctionRefusesWhatIsNotItsToken(t *testing.T) {
	d := deploy(t, "")
	f := d.flagship
	readToken := f.Issue(t, "admin", onetime.TargetReports, onetime.ActionRead)
	tests := []struct {
		name, method, path, token string
		status                    int
		code                      string
	}{
		{"no token is 401", http.MethodGet, "", "", 401, "unauthorized"},
		{"the admin's user access token is 401", http.MethodGet, "", f.UserTokens["admin"], 401, "invalid_token"},
		{"a read token on the export action is 403", http.MethodPost, "/export", readToken.Token, 403, "insufficient_scope"},
		{"a malformed token is 401", http.MethodGet, "", "abc.def.ghi", 401, "invalid_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := onetimetest.Do(t, tc.method, d.fnURL+tc.path, tc.token, "", nil)
			if r.Status != tc.status || r.JSON(t)["error"] != tc.code {
				t.Fatalf("= %d %s; want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
	t.Run("the read token refused for export is still good for read", func(t *testing.T) {
		if r := onetimetest.Do(t, http.MethodGet, d.fnURL, readToken.Token, "", nil); r.Status != 200 {
			t.Fatalf("= %d %s", r.Status, r.Body)
		}
	})
	t.Run("an export token works once on export", func(t *testing.T) {
		tok := f.Issue(t, "admin", onetime.TargetReports, onetime.ActionExport)
		for i, want := range []int{200, 401} {
			if r := onetimetest.Do(t, http.MethodPost, d.fnURL+"/export", tok.Token, "", nil); r.Status != want {
				t.Fatalf("use %d = %d %s; want %d", i+1, r.Status, r.Body, want)
			}
		}
	})
}

func TestAnotherFunctionRefusesATokenForReports(t *testing.T) {
	f := onetimetest.Start(t, nil)
	v, err := onetime.NewVerifier("billing", auth.NewKeySet(onetime.DefaultIssuer, auth.WithJWKSURL(f.JWKSURL)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := onetime.NewRedeemer(v, replay.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	tok := f.Issue(t, "admin", onetime.TargetReports, onetime.ActionRead)
	_, err = r.Redeem(context.Background(), tok.Token, onetime.ActionRead)
	if d := auth.Describe(err); d.Status != 401 || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("Redeem at billing = %v (%d); want 401 for the audience", err, d.Status)
	}
}

func TestRedisGoneMidTestFailsClosedWith503(t *testing.T) {
	srv := redistest.Start(t)
	d := deploy(t, srv.URL)
	before := d.flagship.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead)
	if r := onetimetest.Do(t, http.MethodGet, d.fnURL, before.Token, "", nil); r.Status != 200 {
		t.Fatalf("with Redis up = %d %s", r.Status, r.Body)
	}
	srv.Kill()
	for name, tok := range map[string]string{
		"a fresh token":       d.flagship.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead).Token,
		"an already used one": before.Token,
	} {
		r := onetimetest.Do(t, http.MethodGet, d.fnURL, tok, "", nil)
		if r.Status != 503 || r.JSON(t)["error"] != "temporarily_unavailable" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%s with Redis gone = %d %v %s; want 503 temporarily_unavailable with Retry-After", name, r.Status, r.Header, r.Body)
		}
		if strings.Contains(string(r.Body), "redis") || strings.Contains(string(r.Body), srv.Addr) {
			t.Fatalf("body %s leaks the store's details", r.Body)
		}
	}
}

// The function as Netlify runs it: v1 events through the Lambda adapter.
func TestLambdaEventIsServedOnce(t *testing.T) {
	d := deploy(t, "")
	issued := d.flagship.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead)
	h := lambdahttp.New(d.mux, slog.New(slog.DiscardHandler))
	event, err := json.Marshal(events.APIGatewayProxyRequest{
		HTTPMethod:        http.MethodGet,
		Path:              singleuse.BasePath,
		Headers:           map[string]string{"authorization": "Bearer " + issued.Token},
		MultiValueHeaders: map[string][]string{"authorization": {"Bearer " + issued.Token}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{200, 401} {
		out, err := h.Invoke(context.Background(), event)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.APIGatewayProxyResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("invocation %d = %d %s; want %d", i+1, resp.StatusCode, resp.Body, want)
		}
	}
}

// Deployed apart, the function knows the signing key only through the
// flagship's JWKS: when it cannot fetch it, it refuses with 503 rather than
// guess.
func TestUnreachableJWKSFailsClosedWith503(t *testing.T) {
	f := onetimetest.Start(t, nil)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	mux, err := fromConfig(config.Function{OneTimeJWKSURL: gone.URL + "/api/.well-known/jwks.json"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tok := f.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead)
	r := onetimetest.Do(t, http.MethodGet, srv.URL+singleuse.BasePath, tok.Token, "", nil)
	if r.Status != 503 || r.JSON(t)["error"] != "temporarily_unavailable" {
		t.Fatalf("= %d %s; want 503 temporarily_unavailable", r.Status, r.Body)
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	// An issuer whose clock is two minutes behind signs tokens that expired
	// a minute ago by the function's clock.
	f := onetimetest.Start(t, nil, onetime.WithIssuerClock(func() time.Time { return time.Now().Add(-2 * time.Minute) }))
	mux, err := fromConfig(config.Function{OneTimeJWKSURL: f.JWKSURL}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tok := f.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead)
	r := onetimetest.Do(t, http.MethodGet, srv.URL+singleuse.BasePath, tok.Token, "", nil)
	if r.Status != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), "expired") {
		t.Fatalf("= %d %v %s; want 401 with an expired challenge", r.Status, r.Header, r.Body)
	}
}

// fromConfig is the function as its main builds it in Lambda.
func fromConfig(cfg config.Function, log *slog.Logger) (*chi.Mux, error) {
	r, err := singleuse.RedeemerFromConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	return singleuse.New(r, log), nil
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	d := deploy(t, "")
	tests := []struct {
		name, method, path string
		status             int
		allow              string
	}{
		{"POST to the read route is 405 and allows GET", http.MethodPost, "", 405, "GET"},
		{"GET on export is 405 and allows POST", http.MethodGet, "/export", 405, "POST"},
		{"a method chi does not know on no route is 404", "BREW", "/nope", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, d.fnURL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow {
				t.Fatalf("got %d Allow %q, want %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"), tt.status, tt.allow)
			}
		})
	}
}
