package securitytest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	audience   = "https://api.fnguard.test"
	rolesClaim = "https://fnguard.dev/roles"
	// minRefresh is the KeySet's rate limit, on a Clock the test moves:
	// a fetch is allowed exactly when the test advances the clock.
	minRefresh = time.Minute
	// clientTimeout is how long a hanging issuer holds a refresh. Shorter
	// would be quicker, but a healthy fetch must never time out on a
	// machine busy with the race detector.
	clientTimeout = time.Second
	concurrency   = 16
	burst         = 240 // requests per phase
)

func TestIssuerFaultsUnderLoad(t *testing.T) {
	tests := []struct {
		name  string
		fault Behaviour
		// hitsPerRefresh is what one refresh may cost the issuer: Go's
		// transport retries a GET once when a reused connection is cut
		// before any answer.
		hitsPerRefresh int64
	}{
		{"issuer down: known keys keep working, unknown kids fail closed", Down, 2},
		{"issuer slower than the client timeout: known keys keep working, unknown kids fail closed", Slow, 1},
		{"issuer answering 500: known keys keep working, unknown kids fail closed", Failing, 1},
		{"issuer answering garbage: known keys keep working, unknown kids fail closed", Garbage, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := NewIssuer(t, audience, rolesClaim)
			clock := NewClock()
			srv := NewServer(t, iss, ServerOptions{ClientTimeout: clientTimeout, MinRefresh: minRefresh, Clock: clock.Now})
			client := NewClient(concurrency)
			tr := NewTraffic(t, iss, 8)
			mix := NewMix(tr.Kinds()...)

			// The first requests load the keys: one discovery, one JWKS.
			expectRight(t, "warm-up", Load(client, srv.URL, 4, 48, nil, mix))
			if d, j := iss.Hits(); d != 1 || j != 1 {
				t.Fatalf("warm-up cost %d discovery and %d JWKS requests, want 1 and 1", d, j)
			}

			iss.Set(tt.fault)
			const refreshes = 3
			for i := range refreshes {
				// Each phase may refresh once; its unknown kids ask to.
				clock.Advance(minRefresh)
				mix.Set(append(tr.Kinds(), Fresh(t, iss))...)
				tally := Load(client, srv.URL, concurrency, burst, nil, mix)
				expectRight(t, tt.fault.String()+" phase "+string(rune('1'+i)), tally)
				if tally.Count("fresh", http.StatusOK) == 0 {
					t.Fatalf("no never-seen token was verified during the fault:\n%s", tally)
				}
			}
			d, j := iss.Hits()
			if d != 1 {
				t.Errorf("discovery requested %d times; the jwks_uri is known after the first", d)
			}
			if fetches := j - 1; fetches < refreshes || fetches > refreshes*tt.hitsPerRefresh {
				t.Errorf("the %s issuer got %d JWKS requests in %d refresh intervals, want between %d and %d",
					tt.fault, fetches, refreshes, refreshes, refreshes*tt.hitsPerRefresh)
			}

			// The issuer recovers and rotates: the new key works on
			// first sight, at the cost of exactly one fetch.
			iss.Set(Healthy)
			key := NewKey(t)
			rotated := Rotated(t, iss, key, 8)
			iss.RotateTo(key)
			rotated.Before = 0 // 200 from the first request: the clock allows the refresh
			clock.Advance(minRefresh)
			mix.Set(append(tr.Kinds(), rotated, Fresh(t, iss))...)
			tally := Load(client, srv.URL, concurrency, burst, nil, mix)
			expectRight(t, "after rotation", tally)
			if tally.Count("rotated", http.StatusOK) == 0 {
				t.Fatalf("no rotated-in token was sent:\n%s", tally)
			}
			if _, j2 := iss.Hits(); j2 != j+1 {
				t.Errorf("picking up the rotated key took %d JWKS requests, want 1", j2-j)
			}
			expectNoSecrets(t, srv.Logs(), tokensOf(append(tr.Kinds(), rotated)...)...)
		})
	}
}

func TestColdStartWithTheIssuerDown(t *testing.T) {
	for _, fault := range []Behaviour{Down, Slow, Failing, Garbage} {
		t.Run("issuer "+fault.String()+" at cold start: protected routes are 503, public 200, then recovery", func(t *testing.T) {
			iss := NewIssuer(t, audience, rolesClaim)
			iss.Set(fault)
			clock := NewClock()
			srv := NewServer(t, iss, ServerOptions{ClientTimeout: clientTimeout, MinRefresh: minRefresh, Clock: clock.Now})
			client := NewClient(concurrency)
			tr := NewTraffic(t, iss, 4)
			// With no key ever loaded no token can be judged: 503 for all
			// of them, whatever they look like, and never a 200.
			unavailable := func(k *Kind) *Kind {
				return &Kind{Name: k.Name, Path: k.Path, Tokens: k.Tokens, Status: http.StatusServiceUnavailable}
			}
			mix := NewMix(unavailable(tr.Valid), unavailable(tr.Forged), unavailable(tr.UnknownKid), unavailable(tr.Forbidden), tr.Public)
			expectRight(t, "cold start, issuer "+fault.String(), Load(client, srv.URL, concurrency, 120, nil, mix))
			if d, j := iss.Hits(); d+j > 2 {
				t.Errorf("one refresh interval cost the issuer %d discovery and %d JWKS requests, want at most 2 in all", d, j)
			}

			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/admin", nil)
			req.Header.Set("Authorization", "Bearer "+tr.Valid.Tokens[0])
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("valid token with no keys: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			var b map[string]string
			if err := json.Unmarshal(body, &b); err != nil || b["error"] != "temporarily_unavailable" {
				t.Errorf("body %s, want error temporarily_unavailable", body)
			}

			iss.Set(Healthy)
			clock.Advance(minRefresh)
			expectRight(t, "after recovery", Load(client, srv.URL, concurrency, 120, nil, NewMix(tr.Kinds()...)))
		})
	}
}

func TestRevokedKeyStopsWorkingAfterOneRefresh(t *testing.T) {
	iss := NewIssuer(t, audience, rolesClaim)
	clock := NewClock()
	srv := NewServer(t, iss, ServerOptions{ClientTimeout: clientTimeout, MinRefresh: minRefresh, Clock: clock.Now})
	client := NewClient(concurrency)
	old := &Kind{Name: "old key", Path: "/api/admin", Tokens: []string{iss.Token(t, "admin", time.Hour)}, Status: http.StatusOK}
	// Verified once, the token may now be answered from a cache.
	expectRight(t, "before revocation", Load(client, srv.URL, 4, 16, nil, NewMix(old)))

	kid := iss.Replace(t)
	clock.Advance(minRefresh)
	// Seeing the new kid refreshes the keys, which drops the old one.
	replaced := &Kind{Name: "new key", Path: "/api/admin", Tokens: []string{iss.Token(t, "admin", time.Hour)}, Status: http.StatusOK}
	expectRight(t, "first token of the new key "+kid, Load(client, srv.URL, 1, 1, nil, NewMix(replaced)))
	old.Status = http.StatusUnauthorized
	expectRight(t, "after revocation", Load(client, srv.URL, concurrency, 64, nil, NewMix(old, replaced)))
	if _, j := iss.Hits(); j != 2 {
		t.Errorf("JWKS requests = %d, want 2 (load, then the rotation)", j)
	}
}

func expectRight(t *testing.T, phase string, tally *Tally) {
	t.Helper()
	if tally.Wrong() != 0 {
		t.Fatalf("%s: %d of %d answers were wrong, e.g.\n  %s\n%s", phase, tally.Wrong(), tally.Total(),
			strings.Join(tally.Examples(), "\n  "), tally)
	}
	if tally.Total() == 0 {
		t.Fatalf("%s: no request was sent", phase)
	}
}

func tokensOf(kinds ...*Kind) []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k.Tokens...)
	}
	return out
}

// expectNoSecrets fails when logs hold a token, or the signature of one (a
// log line cut short could still hold that).
func expectNoSecrets(t *testing.T, logs string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if tok == "" {
			continue
		}
		if strings.Contains(logs, tok) {
			t.Errorf("a token appears in the logs: %.24s...", tok)
			continue
		}
		if i := strings.LastIndexByte(tok, '.'); i >= 0 && len(tok)-i > 16 && strings.Contains(logs, tok[i+1:]) {
			t.Errorf("the signature of a token appears in the logs: %.24s...", tok)
		}
	}
}
