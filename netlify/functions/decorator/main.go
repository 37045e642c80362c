// Command decorator is the decorator strategy as a Netlify (or AWS Lambda) function.
// See package strategies/decorator.
package main

import "github.com/fnguard/fnguard/functions"

func main() { functions.Main(functions.Decorator()) }
