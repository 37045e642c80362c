package singleuse_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/lambdatest"
	"github.com/fnguard/fnguard/onetime"
	"github.com/fnguard/fnguard/onetime/onetimetest"
	"github.com/fnguard/fnguard/replay/redistest"
)

func TestMain(m *testing.M) { lambdatest.Main(m) }

// The reports function built as Netlify builds it, run through the Lambda
// Runtime API, verifying against the flagship's JWKS over loopback and
// recording tokens in a real Redis.
func TestFunctionBinaryAcceptsATokenOnce(t *testing.T) {
	bin := lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/reports")
	f := onetimetest.Start(t, nil)
	redis := redistest.Start(t)
	rt := lambdatest.NewRuntime(t)
	proc := rt.Start(bin, "ONETIME_JWKS_URL="+f.JWKSURL, "REDIS_URL="+redis.URL)
	issued := f.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead)

	invoke := func(token string) int {
		t.Helper()
		req := httptest.NewRequest("GET", "/.netlify/functions/reports", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		res, err := rt.Invoke(ctx, lambdatest.NetlifyEvent(req), lambdatest.InvokeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := res.HTTP()
		if err != nil {
			t.Fatalf("%v (function error %v)", err, res.Err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	for i, want := range []int{200, 401} {
		if got := invoke(issued.Token); got != want {
			t.Fatalf("use %d = %d; want %d", i+1, got, want)
		}
	}
	if got := invoke(f.UserTokens["admin"]); got != 401 {
		t.Fatalf("a user access token = %d; want 401", got)
	}
	redis.Kill()
	if got := invoke(f.Issue(t, "paid", onetime.TargetReports, onetime.ActionRead).Token); got != 503 {
		t.Fatalf("with Redis gone = %d; want 503", got)
	}
	proc.Stop()
	logs := proc.Stderr() + proc.Stdout()
	if strings.Contains(logs, "eyJ") {
		t.Errorf("the function logged something that looks like a token:\n%s", logs)
	}
	// The Redis client prints its own complaints (a lost connection);
	// the log pipeline wants them as JSON lines like everything else.
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.TrimSpace(line) != "" && !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %.200q", line)
		}
	}
}

func TestFunctionBinaryWithoutRedisRefusesToStart(t *testing.T) {
	bin := lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/reports")
	rt := lambdatest.NewRuntime(t)
	proc := rt.Start(bin, "ONETIME_JWKS_URL=https://site.test/api/.well-known/jwks.json")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	state, err := proc.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.Success() || !strings.Contains(proc.Stderr(), "REDIS_URL") {
		t.Fatalf("exit %v, stderr:\n%s\nwant a failure naming REDIS_URL", state, proc.Stderr())
	}
}
