package auth

import (
	"encoding/json"
	"fmt"

	"github.com/fnguard/fnguard/internal/jws"
)

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
		if json.Unmarshal(v, &f) != nil || !jws.InNumericDateRange(f) {
			return fmt.Errorf("%w: %s is not a NumericDate in range", errClaimType, name)
		}
	}
	return nil
}
