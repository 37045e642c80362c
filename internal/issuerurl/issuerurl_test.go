package issuerurl

import (
	"fmt"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://tenant.eu.auth0.com/", true},
		{"http://localhost:8080/dev-issuer/", true},
		{"http://127.0.0.1:9999/", true},
		{"http://[::1]:9999/", true},
		{"http://tenant.eu.auth0.com/", false},
		{"http://localhost.evil.example/", false},
		{"http://127.0.0.1.nip.io/", false},
		{"ftp://tenant.example/", false},
		{"tenant.eu.auth0.com", false},
		{"", false},
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%q is refused", tc.url)
		if tc.ok {
			name = fmt.Sprintf("%q is accepted", tc.url)
		}
		t.Run(name, func(t *testing.T) {
			if err := Check(tc.url); (err == nil) != tc.ok {
				t.Errorf("Check(%q) = %v", tc.url, err)
			}
		})
	}
}
