// Command middleware is the middleware strategy as a Netlify (or AWS Lambda) function.
// See package strategies/middleware.
package main

import "github.com/fnguard/fnguard/functions"

func main() { functions.Main(functions.Middleware()) }
