package eventheader

import (
	"slices"
	"testing"
)

func TestHeaderRule(t *testing.T) {
	tests := []struct {
		name   string
		multi  map[string][]string
		single map[string]string
		want   []string // the Authorization values read
	}{
		{"an empty multiValueHeaders falls back to headers", map[string][]string{}, map[string]string{"authorization": "Bearer a"}, []string{"Bearer a"}},
		{"no multiValueHeaders falls back to headers", nil, map[string]string{"Authorization": "Bearer a"}, []string{"Bearer a"}},
		{"multiValueHeaders keeps every value of a repeated header", map[string][]string{"authorization": {"Bearer a", "Bearer b"}}, map[string]string{"authorization": "Bearer b"}, []string{"Bearer a", "Bearer b"}},
		{"a header only in headers is not read beside a non-empty multiValueHeaders", map[string][]string{"accept": {"*/*"}}, map[string]string{"authorization": "Bearer a"}, nil},
		{"two spellings of one name in multiValueHeaders are one header", map[string][]string{"authorization": {"Bearer a"}, "AUTHORIZATION": {"Bearer b"}}, nil, []string{"Bearer a", "Bearer b"}},
		{"no headers at all is no Authorization", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Header(tt.multi, tt.single).Values("Authorization")
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Authorization = %q, want %q", got, tt.want)
			}
		})
	}
}
