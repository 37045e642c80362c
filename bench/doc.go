// Package bench measures fnguard's request paths against their floor: a
// public request through the full router, authorized requests with cold and
// cached tokens, a forbidden request, a Lambda invocation, and the stock
// go-jwt-middleware path. It has no code of its own; run
//
//	go test -run='^$' -bench=. -benchmem -count=6 ./bench
//
// and see docs/PERFORMANCE.md for the method and the numbers.
package bench
