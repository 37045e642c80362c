// Command admin-only is a function of the proxy-level strategy: Netlify's role
// rules in netlify.toml guard it, and it checks the caller again. See
// package strategies/proxyrole.
package main

import "github.com/fnguard/fnguard/functions"

func main() { functions.Main(functions.AdminOnly()) }
