package auth

import (
	"encoding/json"
	"fmt"
)

// MaxNumericDate is the largest exp, nbf or iat any verifier accepts
// (year 36812). Up to it, float-to-int conversion is exact and time.Unix is
// meaningful; beyond it, time.Time arithmetic overflows and a date near the
// int64 maximum wraps into the past, where it passes an nbf or iat check.
const MaxNumericDate = 1 << 40

// InNumericDateRange reports whether n (seconds since the epoch, RFC 7519
// §2) is a NumericDate a verifier can compare safely: 0 to MaxNumericDate.
// Every verifier checks this before turning a claim into a time.Time.
func InNumericDateRange[T int64 | float64](n T) bool {
	return n >= 0 && n <= MaxNumericDate
}

// checkNumericDates refuses an exp, nbf or iat that is not a number in
// range. It runs on the raw claims, before the validator compares them
// with the clock: by then an out-of-range value has already wrapped.
func checkNumericDates(raw map[string]json.RawMessage) error {
	for _, name := range []string{"exp", "nbf", "iat"} {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		var f float64
		if json.Unmarshal(v, &f) != nil || !InNumericDateRange(f) {
			return fmt.Errorf("%w: %s is not a NumericDate in range", errClaimType, name)
		}
	}
	return nil
}
