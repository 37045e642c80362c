// Package loadtest runs mixed traffic (valid, expired, forged, forbidden,
// public, rotated-in and never-seen tokens) against the flagship's router
// on loopback while its issuer rotates keys and goes through an outage,
// and checks that every answer was the one its request deserved and that
// goroutines and memory return to their baseline afterwards.
//
// The normal test command runs a 3-second version. The full run is behind
// the load build tag:
//
//	go test -tags load -run TestLoad -timeout 10m ./loadtest/ -duration 60s -concurrency 64
//
// See docs/RELIABILITY.md for what it measured.
package loadtest
