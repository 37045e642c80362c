package jws

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
