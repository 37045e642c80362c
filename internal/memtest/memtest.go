// Package memtest measures what a call allocates, for tests that bound the
// memory a hostile input may cost. It counts allocations and bytes, never
// time, which depends on what else the machine is doing.
package memtest

import (
	"runtime"
	"strings"
)

// PerRun returns the allocations and bytes that one call of f allocates,
// averaged over runs calls after a warm-up call, like testing.AllocsPerRun
// (which counts allocations only). Other goroutines allocating meanwhile
// count too, so bounds should be generous: a test tells 4 KiB from 16 MiB,
// not 4 KiB from 5.
func PerRun(runs int, f func()) (allocs, bytes uint64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.Mallocs - before.Mallocs) / uint64(runs), (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// A Token is a hostile token and what it is, for a test's row name.
type Token struct {
	Name  string
	Token string
}

// DotFlood returns tokens crafted for CVE-2025-27144: go-jose before v4.0.5
// (and every v2) splits a compact JWS on each '.' before it counts the
// parts, so a token of n dots costs it 16n bytes. valid is a well-formed
// token of the verifier under test, to hide the flood behind a real header.
func DotFlood(valid string) []Token {
	const n = 1 << 20
	dots := strings.Repeat(".", n)
	return []Token{
		{"a million dots", dots},
		{"a valid token followed by a million dots", valid + dots},
		{"a valid header and a million dots before the signature", valid[:strings.LastIndexByte(valid, '.')] + dots},
		{"a dot between every character, under the 16 KiB size cap", strings.Join(strings.Split(strings.Repeat("a", 8<<10), ""), ".")},
	}
}
