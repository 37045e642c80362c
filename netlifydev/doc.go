// Package netlifydev is the local stand-in for Netlify, the Go counterpart
// of `netlify dev` for `go run .`. On one port it serves:
//
//   - the flagship's router under /api (Netlify rewrites /api/* to it);
//   - every function of package functions at /.netlify/functions/<name>,
//     each request turned into the API Gateway v1 event and client context
//     Netlify sends (function.go);
//   - netlify.toml's role rules in front of them, read from the file
//     (toml.go, rules.go);
//   - the page (package web) and, beside the development issuer, the
//     development exchange of an access token for the nf_jwt cookie
//     (exchange.go).
//
// It is compiled out of the Lambda build (-tags lambda.norpc): nothing of it
// exists in production.
package netlifydev
