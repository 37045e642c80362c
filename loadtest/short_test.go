package loadtest

import (
	"testing"
	"time"
)

// TestLoadShort is the load test in miniature, for every run of the test
// command: 3 seconds at a concurrency of 16, same timeline.
func TestLoadShort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs traffic for 3 seconds")
	}
	scenario{duration: 3 * time.Second, concurrency: 16}.run(t)
}
