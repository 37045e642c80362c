package config

import (
	"strings"
	"testing"
	"time"

	"github.com/fnguard/fnguard/auth"
)

func TestLoadTokenCacheSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		size int
		ttl  time.Duration
	}{
		{"the cache is on by default", nil, auth.DefaultCacheSize, auth.DefaultCacheTTL},
		{"a size of 0 turns the cache off", map[string]string{"AUTH_TOKEN_CACHE_SIZE": "0"}, 0, auth.DefaultCacheTTL},
		{"size and ttl are read", map[string]string{"AUTH_TOKEN_CACHE_SIZE": "500", "AUTH_TOKEN_CACHE_TTL": "30s"}, 500, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if c.TokenCacheSize != tt.size || c.TokenCacheTTL != tt.ttl {
				t.Errorf("size %d ttl %s, want %d %s", c.TokenCacheSize, c.TokenCacheTTL, tt.size, tt.ttl)
			}
		})
	}
}

func TestLoadRejectsBadTokenCacheSettings(t *testing.T) {
	tests := []struct{ name, variable, value string }{
		{"a negative size is refused", "AUTH_TOKEN_CACHE_SIZE", "-1"},
		{"a size that is not a number is refused", "AUTH_TOKEN_CACHE_SIZE", "lots"},
		{"a size beyond ten million is refused", "AUTH_TOKEN_CACHE_SIZE", "10000001"},
		{"a ttl that is not a duration is refused", "AUTH_TOKEN_CACHE_TTL", "60"},
		{"a ttl under a second is refused", "AUTH_TOKEN_CACHE_TTL", "500ms"},
		{"a ttl over an hour is refused", "AUTH_TOKEN_CACHE_TTL", "2h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(func(k string) string {
				if k == tt.variable {
					return tt.value
				}
				return ""
			})
			if err == nil || !strings.Contains(err.Error(), tt.variable) {
				t.Errorf("error %v, want one naming %s", err, tt.variable)
			}
		})
	}
}
