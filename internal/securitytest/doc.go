// Package securitytest proves that fnguard keeps its promises when things
// go wrong: its tests throw hostile input at the real local server and at
// the real Lambda binary, and take the issuer down, slow it, break it and
// rotate its keys while the service is under load.
//
// The package itself holds what those tests and the load test (package
// loadtest) share: Issuer, a loopback OpenID issuer whose behaviour a test
// switches at run time; Server, the flagship's router on loopback; and
// Load, a generator of mixed traffic that checks every answer against the
// status it deserves.
package securitytest
