package memtest

import (
	"strings"
	"testing"
)

var sink []string

func TestPerRunTellsASplitOfAMillionDotsFromNothing(t *testing.T) {
	dots := strings.Repeat(".", 1<<20)
	tests := []struct {
		name     string
		f        func()
		minBytes uint64
		maxBytes uint64
	}{
		{"a call that allocates nothing costs under 1 KiB", func() {}, 0, 1 << 10},
		{"splitting a million dots costs over 16 MiB", func() { sink = strings.Split(dots, ".") }, 16 << 20, 1 << 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, bytes := PerRun(3, tc.f)
			if bytes < tc.minBytes || bytes > tc.maxBytes {
				t.Errorf("PerRun = %d bytes, want %d to %d", bytes, tc.minBytes, tc.maxBytes)
			}
		})
	}
}
