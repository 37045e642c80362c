package onetime

import (
	"context"
	"errors"
	"testing"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/internal/memtest"
)

// The single-use verifier refuses a token crafted for CVE-2025-27144
// (go-jose v2 splits a compact JWS on every '.' before counting the parts)
// before go-jose sees it, in bounded memory: 16 MiB would go on the split
// of a million dots alone.
func TestVerifierRefusesDotFloodsInBoundedMemory(t *testing.T) {
	now := t0
	key := testKey(t)
	v := testVerifier(t, TargetReports, key, &now)
	issued, err := testIssuer(t, key, &now).Issue(principal("admin"), TargetReports, ActionRead)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), issued.Token); err != nil {
		t.Fatalf("the verifier refuses a valid token: %v", err)
	}
	for _, tc := range memtest.DotFlood(issued.Token) {
		t.Run("refuses "+tc.Name+" in bounded memory", func(t *testing.T) {
			if _, err := v.Verify(context.Background(), tc.Token); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
			allocs, bytes := memtest.PerRun(5, func() { _, _ = v.Verify(context.Background(), tc.Token) })
			if bytes > 64<<10 || allocs > 100 {
				t.Errorf("refusing it allocated %d bytes in %d allocations, want at most 64 KiB and 100", bytes, allocs)
			}
		})
	}
}
