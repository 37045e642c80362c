package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fnguard/fnguard/internal/syncbuf"
)

// internals are words of library errors that must never reach a client.
var internals = []string{"go-jose", "square", "could not", "crypto", "jwt invalid", "jwks", "rsa", "unmarshal", "127.0.0.1"}

// protected serves Require(policy) behind Authenticate(v) on loopback; the
// handler answers with the Principal it found in the context.
func protected(t *testing.T, v *Verifier, policy Policy, log *slog.Logger) *httptest.Server {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := FromContext(r.Context())
		if !ok {
			t.Error("handler reached without a principal")
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p)
	})
	// What a request log would do with the hooks: one line per denial.
	audit := OnDenied(func(r *http.Request, err error, d Denial) {
		log.Warn("access denied", "status", d.Status, "error", d.Code, "reason", err.Error())
	})
	srv := httptest.NewServer(Authenticate(v, audit)(Require(policy, audit)(h)))
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, srv *httptest.Server, path string, authorization ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range authorization {
		req.Header.Add("Authorization", a)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

// checkDenial asserts an RFC 6750 error response: status, challenge,
// headers and a JSON body free of internals.
func checkDenial(t *testing.T, r response, status int, challenge, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if got := r.header.Values("WWW-Authenticate"); challenge != "" && !slices.Equal(got, []string{challenge}) {
		t.Errorf("WWW-Authenticate = %q, want %q", got, challenge)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	var body Body
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("body %q is not {error, message}: %v", r.body, err)
	}
	if body.Error != code || body.Message == "" {
		t.Errorf("body = %+v, want error %q and a message", body, code)
	}
	checkNoInternals(t, r.body)
}

func checkNoInternals(t *testing.T, body []byte) {
	t.Helper()
	lower := strings.ToLower(string(body))
	for _, word := range internals {
		if strings.Contains(lower, word) {
			t.Errorf("body %s shows %q", body, word)
		}
	}
}

func TestMiddlewareAnswers(t *testing.T) {
	ti := newTestIssuer(t)
	ks, _ := ti.keySet(t)
	srv := protected(t, ti.verifier(t, ks), Role("admin"), slog.New(slog.DiscardHandler))
	admin := ti.mint(t, "admin")
	expired := ti.claims(t, "admin")
	expired["exp"] = 1

	denials := []struct {
		name          string
		path          string
		authorization []string
		status        int
		challenge     string
		code          string
	}{
		{"no token is 401 with a bare challenge", "/", nil, 401, `Bearer realm="fnguard"`, "unauthorized"},
		{"Basic credentials are 401 with a bare challenge", "/", []string{"Basic YWRtaW46YWRtaW4="}, 401, `Bearer realm="fnguard"`, "unauthorized"},
		{"a token in the query string is ignored: 401 with a bare challenge", "/?access_token=" + url.QueryEscape(admin), nil, 401, `Bearer realm="fnguard"`, "unauthorized"},
		{"Bearer without a token is 401 invalid_token", "/", []string{"Bearer"}, 401, challengeInvalid, "invalid_token"},
		{"a garbage token is 401 invalid_token", "/", []string{"Bearer garbage"}, 401, challengeInvalid, "invalid_token"},
		{"a token with a space inside is 401 invalid_token", "/", []string{"Bearer " + admin[:20] + " " + admin[20:]}, 401, challengeInvalid, "invalid_token"},
		{"two Authorization headers are 401 invalid_token", "/", []string{"Bearer " + admin, "Bearer " + admin}, 401, challengeInvalid, "invalid_token"},
		{"an expired token is 401 saying it expired", "/", []string{"Bearer " + ti.signClaims(t, expired)}, 401, challengeExpired, "invalid_token"},
		{"a free persona token is 403 insufficient_scope", "/", []string{"Bearer " + ti.mint(t, "free")}, 403,
			`Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"`, "insufficient_scope"},
		{"a paid persona token is 403 insufficient_scope", "/", []string{"bearer " + ti.mint(t, "paid")}, 403,
			`Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"`, "insufficient_scope"},
	}
	for _, tc := range denials {
		t.Run(tc.name, func(t *testing.T) {
			checkDenial(t, get(t, srv, tc.path, tc.authorization...), tc.status, tc.challenge, tc.code)
		})
	}

	t.Run("an admin token is 200 with the principal in the context", func(t *testing.T) {
		r := get(t, srv, "/", "BEARER "+admin)
		if r.status != http.StatusOK {
			t.Fatalf("status = %d; body %s", r.status, r.body)
		}
		var p Principal
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Subject != "dev|admin-user" || !slices.Equal(p.Roles, []string{"admin"}) {
			t.Errorf("principal = %+v", p)
		}
		if got := r.header.Get("WWW-Authenticate"); got != "" {
			t.Errorf("a 200 carries WWW-Authenticate %q", got)
		}
	})
}

// TestNotToken68IsRefusedBesideItsCachedTwin: Authenticate leaves the
// token68 scan to Verify, which scans every token it has not cached. A
// token one character away from a cached one, with that character outside
// token68, is refused as BearerToken refused it.
func TestNotToken68IsRefusedBesideItsCachedTwin(t *testing.T) {
	ti := newTestIssuer(t)
	ks, _ := ti.keySet(t)
	v := ti.verifier(t, ks)
	srv := protected(t, v, Role("admin"), slog.New(slog.DiscardHandler))
	admin := ti.mint(t, "admin")
	if r := get(t, srv, "/", "Bearer "+admin); r.status != http.StatusOK {
		t.Fatalf("the token itself: status %d", r.status)
	}
	parts := strings.Split(admin, ".")
	head, payload, sig := parts[0], parts[1], parts[2]
	for name, token := range map[string]string{
		"a character outside token68 after it": admin + "!",
		"a space inside":                       admin[:40] + " " + admin[40:],
		"quoted":                               `"` + admin + `"`,
		"JWS JSON serialization":               `{"protected":"` + head + `","payload":"` + payload + `","signature":"` + sig + `"}`,
		"a comma before the signature":         head + "." + payload + "," + sig,
	} {
		t.Run(name, func(t *testing.T) {
			checkDenial(t, get(t, srv, "/", "Bearer "+token), 401, challengeInvalid, "invalid_token")
			if _, err := v.Verify(context.Background(), token); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify = %v, want ErrInvalidToken", err)
			}
		})
	}
	if st := v.CacheStats(); st.Entries != 1 {
		t.Errorf("cache holds %d tokens, want the one valid token", st.Entries)
	}
}

func TestMiddlewareIsUnavailableWhenNoKeysCanBeLoaded(t *testing.T) {
	ti := newTestIssuer(t)
	ks, _ := ti.keySet(t)
	srv := protected(t, ti.verifier(t, ks), Authenticated(), slog.New(slog.DiscardHandler))
	token := ti.mint(t, "admin")
	ti.setFault(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "upstream down", http.StatusBadGateway) })

	r := get(t, srv, "/", "Bearer "+token)
	checkDenial(t, r, http.StatusServiceUnavailable, "", "temporarily_unavailable")
	if got := r.header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After = %q, want 5", got)
	}
	if got := r.header.Get("WWW-Authenticate"); got != "" {
		t.Errorf("a 503 carries WWW-Authenticate %q: the token was not judged", got)
	}
}

// Every token shape the verifier is tested with, sent through the HTTP
// middleware: never a 400 or 500, never internals in the body, never the
// token in the log.
func TestMiddlewareAnswersEveryTokenShapeSafely(t *testing.T) {
	ti := newTestIssuer(t)
	trap := newTrapServer(t)
	ks, _ := ti.keySet(t)
	var logs syncbuf.Buffer
	srv := protected(t, ti.verifier(t, ks), Role("admin"), slog.New(slog.NewJSONHandler(&logs, nil)))

	shapes := tokenShapes(t, ti, trap.URL)
	denied := 0
	for _, tc := range shapes {
		t.Run(tc.name, func(t *testing.T) {
			if strings.TrimSpace(tc.token) != tc.token {
				t.Skip("RFC 7235 allows spaces between scheme and token: the header form of this token is the valid one")
			}
			r := get(t, srv, "/", "Bearer "+tc.token)
			switch {
			case tc.want == nil && slices.Contains(tc.roles, "admin"):
				if r.status != http.StatusOK {
					t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
				}
			case tc.want == nil:
				denied++
				checkDenial(t, r, http.StatusForbidden,
					`Bearer realm="fnguard", error="insufficient_scope", error_description="The access token does not grant access to this resource"`,
					"insufficient_scope")
			case tc.want == ErrTokenExpired:
				denied++
				checkDenial(t, r, http.StatusUnauthorized, challengeExpired, "invalid_token")
			case tc.want == ErrIssuerNotAccepted:
				denied++
				checkDenial(t, r, http.StatusUnauthorized, challengeIssuer, "invalid_token")
			default:
				denied++
				checkDenial(t, r, http.StatusUnauthorized, challengeInvalid, "invalid_token")
			}
		})
	}
	srv.Close() // waits for the handlers, so every log line is written

	out := logs.String()
	if n := strings.Count(out, `"msg":"access denied"`); n != denied {
		t.Errorf("%d audit lines for %d denials", n, denied)
	}
	for _, tc := range shapes {
		for _, part := range strings.Split(tc.token, ".") {
			if len(part) >= 16 && strings.Contains(out, part) {
				t.Errorf("the log holds a segment of the token of %q", tc.name)
				break
			}
		}
	}
	if trap.hits.Load() != 0 {
		t.Error("a jku/x5u URL from a token header was fetched")
	}
}

// Require mounted without Authenticate (a wiring mistake) must deny, not
// let the request through.
func TestRequireWithoutAuthenticateDenies(t *testing.T) {
	reached := false
	h := Require(Authenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	checkDenial(t, get(t, srv, "/", "Bearer "+sampleJWT), http.StatusUnauthorized, `Bearer realm="fnguard"`, "unauthorized")
	if reached {
		t.Error("the handler ran without a verified principal")
	}
}
