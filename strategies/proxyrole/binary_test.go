package proxyrole_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/lambdatest"
	"github.com/fnguard/fnguard/internal/strategytest"
)

func TestMain(m *testing.M) { lambdatest.Main(m) }

// The functions built as Netlify builds them, invoked through the Lambda
// Runtime API with the client context Netlify attaches.
func TestFunctionBinariesThroughTheRuntimeAPI(t *testing.T) {
	bin := lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/admin-only")
	rt := lambdatest.NewRuntime(t)
	proc := rt.Start(bin, "NETLIFY_JWT_SECRET="+string(secret))
	admin := strategytest.IdentityClaims("admin|1", "admin")
	paid := strategytest.IdentityClaims("paid|1", "paid")
	sign := func(c map[string]any) string { return strategytest.SignHS256(t, secret, hs256, c) }
	forged := strategytest.SignHS256(t, []byte("not-the-site-secret-but-32-bytes-long"), hs256, admin)

	tests := []struct {
		name    string
		cookie  string
		context map[string]any
		status  int
	}{
		{"admin cookie and context is 200", sign(admin), admin, 200},
		{"paid cookie and context is 403", sign(paid), paid, 403},
		{"admin context over a paid cookie is 401", sign(paid), admin, 401},
		{"admin context alone is 401", "", admin, 401},
		{"forged admin cookie is 401", forged, admin, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/admin-only/x", nil)
			if tc.cookie != "" {
				req.Header.Set("Cookie", auth.NetlifyCookie+"="+tc.cookie)
			}
			doc, _ := json.Marshal(map[string]any{"identity": map[string]any{"url": "https://site.test/.netlify/identity"}, "user": tc.context})
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			res, err := rt.Invoke(ctx, lambdatest.NetlifyEvent(req), lambdatest.InvokeOptions{ClientContext: lambdatest.NetlifyClientContext(doc)})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := res.HTTP()
			if err != nil {
				t.Fatalf("%v (function error %v)", err, res.Err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %s; want %d", resp.StatusCode, body, tc.status)
			}
		})
	}
	proc.Stop()
	if logs := proc.Stderr(); strings.Contains(logs, "eyJ") {
		t.Errorf("the function logged something that looks like a token:\n%s", logs)
	}
}

func TestFunctionBinaryWithoutSecretRefusesToStart(t *testing.T) {
	bin := lambdatest.Build(t, "github.com/fnguard/fnguard/netlify/functions/paid-only")
	rt := lambdatest.NewRuntime(t)
	proc := rt.Start(bin)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	state, err := proc.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.Success() || !strings.Contains(proc.Stderr(), "NETLIFY_JWT_SECRET") {
		t.Fatalf("exit %v, stderr:\n%s\nwant a failure naming NETLIFY_JWT_SECRET", state, proc.Stderr())
	}
}
