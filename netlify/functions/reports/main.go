// Command reports is the target of single-use tokens, as a Netlify (or AWS
// Lambda) function. See package strategies/singleuse.
package main

import "github.com/fnguard/fnguard/functions"

func main() { functions.Main(functions.Reports()) }
