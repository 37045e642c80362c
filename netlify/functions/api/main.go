// Command api is the flagship as a Netlify (or AWS Lambda) function: the
// same router as `go run .`, built from the same configuration by package
// flagship. netlify.toml's /api/* rewrite and the direct
// /.netlify/functions/api/* both reach it.
package main

import "github.com/fnguard/fnguard/functions"

func main() { functions.Main(functions.API()) }
