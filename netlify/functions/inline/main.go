// Command inline is the inline strategy as a Netlify (or AWS Lambda) function.
// See package strategies/inline.
package main

import "github.com/fnguard/fnguard/functions"

func main() { functions.Main(functions.Inline()) }
