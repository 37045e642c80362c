// Package lambdacold measures the flagship's cold start as a Lambda
// function: from exec of the binary, built as `make netlify` builds it, to
// its answer to a first authenticated invocation through the Lambda Runtime
// API on loopback (JWKS discovery and fetch included). It has no code of its
// own; run
//
//	go test -run='^$' -bench=. -benchtime=15x ./bench/lambdacold
package lambdacold
