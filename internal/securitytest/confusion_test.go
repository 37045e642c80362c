package securitytest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/lambdatest"
)

// TestTokenConfusion: each strategy accepts only the tokens meant for it.
// A single-use token (ES256, aud "reports") opens nothing but the reports
// function, once; an access token never opens the reports function. The
// local server serves all of them, so a mix-up would show there first.
func TestTokenConfusion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the flagship binary")
	}
	iss := NewIssuer(t, audience, rolesClaim)
	srv := startLocal(t, lambdatest.BuildLocal(t, flagship), iss)
	admin := iss.Token(t, "admin", time.Hour)
	paid := iss.Token(t, "paid", time.Hour)

	issue := func(t *testing.T, access, action string) string {
		t.Helper()
		r := srv.do(t, request{method: "POST", target: "/api/tokens",
			header: [][2]string{{"Authorization", "Bearer " + access}, {"Content-Type", "application/json"}},
			body:   `{"target":"reports","action":"` + action + `"}`})
		var out struct{ Token string }
		if err := json.Unmarshal(r.body, &out); err != nil || r.status != http.StatusOK && r.status != http.StatusCreated || out.Token == "" {
			t.Fatalf("POST /api/tokens: %d %s", r.status, r.body)
		}
		return out.Token
	}
	read := issue(t, paid, "read")
	export := issue(t, admin, "export")
	other := issue(t, admin, "read")
	_, claims, _ := segments(read)
	noneHeader := b64.EncodeToString([]byte(`{"alg":"none","typ":"fnguard-onetime+jwt"}`))

	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"a single-use token is not an access token for the flagship", bearer("/api/admin", other), 401},
		{"a single-use token is not an access token for /me", bearer("/api/me", other), 401},
		{"a single-use token is not an access token for the inline function", bearer("/.netlify/functions/inline/admin", other), 401},
		{"a single-use token does not pass the authorizer", bearer("/.netlify/functions/authorized/me", other), 401},
		{"a single-use token cannot issue more single-use tokens", request{method: "POST", target: "/api/tokens",
			header: [][2]string{{"Authorization", "Bearer " + other}, {"Content-Type", "application/json"}},
			body:   `{"target":"reports","action":"read"}`}, 401},
		{"an admin's access token does not open the reports function", bearer("/.netlify/functions/reports", admin), 401},
		{"a single-use token with alg none is refused", bearer("/.netlify/functions/reports", noneHeader+"."+claims+"."), 401},
		{"a single-use token with its signature stripped is refused", bearer("/.netlify/functions/reports", read[:strings.LastIndexByte(read, '.')+1]), 401},
		{"a read token does not export", request{method: "POST", target: "/.netlify/functions/reports/export",
			header: [][2]string{{"Authorization", "Bearer " + read}}}, 403},
		{"a single-use token works once", bearer("/.netlify/functions/reports", read), 200},
		{"a spent read token is 401", bearer("/.netlify/functions/reports", read), 401},
		{"an export token exports once", request{method: "POST", target: "/.netlify/functions/reports/export",
			header: [][2]string{{"Authorization", "Bearer " + export}}}, 200},
		{"a spent export token is 401", request{method: "POST", target: "/.netlify/functions/reports/export",
			header: [][2]string{{"Authorization", "Bearer " + export}}}, 401},
		{"an export token does not read", bearer("/.netlify/functions/reports", export), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAnswer(t, tt.req, tt.status, "", srv.do(t, tt.req))
		})
	}
	srv.stop(t)
	logs := srv.logs()
	for _, tok := range []string{admin, paid, read, export, other} {
		if strings.Contains(logs, tok) || strings.Contains(logs, tok[strings.LastIndexByte(tok, '.')+1:]) {
			t.Errorf("the logs hold a token")
		}
	}
}
