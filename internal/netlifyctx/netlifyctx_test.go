package netlifyctx

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name     string
		in       string
		wantUser bool
		wantErr  bool
	}{
		{name: "context with a user has a user", in: b64(`{"identity":{"url":"https://x/.netlify/identity","token":"t"},"user":{"sub":"u"}}`), wantUser: true},
		{name: "unpadded base64 is accepted", in: strings.TrimRight(b64(`{"user":{"sub":"u1"}}`), "="), wantUser: true},
		{name: "context without a user has none", in: b64(`{"identity":{"url":"https://x"}}`)},
		{name: "null user is no user", in: b64(`{"user":null}`)},
		{name: "empty user is no user", in: b64(`{"user":{}}`)},
		{name: "user that is not an object is refused", in: b64(`{"user":"admin"}`), wantErr: true},
		{name: "identity that is not an object is refused", in: b64(`{"identity":[1]}`), wantErr: true},
		{name: "duplicate user members are refused", in: b64(`{"user":{"sub":"a"},"user":{"sub":"b"}}`), wantErr: true},
		{name: "trailing data is refused", in: b64(`{"user":{"sub":"a"}}{}`), wantErr: true},
		{name: "not base64 is refused", in: "%%%", wantErr: true},
		{name: "not JSON is refused", in: b64(`user=admin`), wantErr: true},
		{name: "oversized context is refused", in: strings.Repeat("A", 16<<10+4), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := Parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if (nc.User != nil) != tt.wantUser {
				t.Fatalf("user = %s, want user %v", nc.User, tt.wantUser)
			}
		})
	}
}
