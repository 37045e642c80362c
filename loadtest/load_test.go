//go:build load

package loadtest

import (
	"flag"
	"testing"
	"time"
)

var (
	duration    = flag.Duration("duration", 60*time.Second, "how long TestLoad sends traffic")
	concurrency = flag.Int("concurrency", 64, "how many requests TestLoad keeps in flight")
)

// TestLoad is the full load test:
//
//	go test -tags load -run TestLoad -timeout 10m ./loadtest/ -duration 60s -concurrency 64
func TestLoad(t *testing.T) {
	if *duration < 10*time.Second || *concurrency < 1 {
		t.Fatalf("-duration %s -concurrency %d: want at least 10s and 1", *duration, *concurrency)
	}
	scenario{duration: *duration, concurrency: *concurrency}.run(t)
}
