package onetime

import (
	"context"
	"testing"
	"time"

	"github.com/fnguard/fnguard/replay"
)

// BenchmarkIssue measures signing one token (ES256).
func BenchmarkIssue(b *testing.B) {
	now := time.Now()
	i := testIssuer(b, testKey(b), &now)
	p := principal("paid")
	for b.Loop() {
		if _, err := i.Issue(p, TargetReports, ActionRead); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedeem measures verifying and consuming one token with the
// in-memory store (tokens are issued outside the timer).
func BenchmarkRedeem(b *testing.B) {
	now := time.Now()
	key := testKey(b)
	i := testIssuer(b, key, &now)
	r, err := NewRedeemer(testVerifier(b, TargetReports, key, &now), replay.NewMemory())
	if err != nil {
		b.Fatal(err)
	}
	p := principal("paid")
	tokens := make([]string, b.N)
	for n := range tokens {
		t, err := i.Issue(p, TargetReports, ActionRead)
		if err != nil {
			b.Fatal(err)
		}
		tokens[n] = t.Token
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := r.Redeem(context.Background(), tokens[n], ActionRead); err != nil {
			b.Fatal(err)
		}
	}
}
