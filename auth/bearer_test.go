package auth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

const sampleJWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name    string
		headers []string // Authorization values; nil for none
		want    string
		wantErr error
	}{
		{"no Authorization header is no token", nil, "", ErrNoToken},
		{"empty Authorization header is no token", []string{""}, "", ErrNoToken},
		{"blank Authorization header is no token", []string{"   "}, "", ErrNoToken},
		{"Basic credentials are no token", []string{"Basic dXNlcjpwYXNz"}, "", ErrNoToken},
		{"Token scheme is no token", []string{"Token " + sampleJWT}, "", ErrNoToken},
		{"Bearer glued to the token is no token", []string{"Bearer" + sampleJWT}, "", ErrNoToken},
		{"a bare token without scheme is no token", []string{sampleJWT}, "", ErrNoToken},
		{"Bearer token is read", []string{"Bearer " + sampleJWT}, sampleJWT, nil},
		{"lower-case bearer is read", []string{"bearer " + sampleJWT}, sampleJWT, nil},
		{"upper-case BEARER is read", []string{"BEARER " + sampleJWT}, sampleJWT, nil},
		{"mixed-case bEaReR is read", []string{"bEaReR " + sampleJWT}, sampleJWT, nil},
		{"extra spaces around the token are ignored", []string{"  Bearer   " + sampleJWT + "  "}, sampleJWT, nil},
		{"token68 padding is kept", []string{"Bearer abc=="}, "abc==", nil},
		{"Bearer without a token is invalid", []string{"Bearer"}, "", ErrInvalidToken},
		{"Bearer followed by spaces only is invalid", []string{"Bearer    "}, "", ErrInvalidToken},
		{"token with a space inside is invalid", []string{"Bearer abc def"}, "", ErrInvalidToken},
		{"two tokens are invalid", []string{"Bearer " + sampleJWT + " Bearer " + sampleJWT}, "", ErrInvalidToken},
		{"several Authorization headers are invalid", []string{"Bearer " + sampleJWT, "Bearer " + sampleJWT}, "", ErrInvalidToken},
		{"a Bearer and a Basic header together are invalid", []string{"Basic dXNlcjpwYXNz", "Bearer " + sampleJWT}, "", ErrInvalidToken},
		{"token at the size limit is read", []string{"Bearer " + strings.Repeat("a", maxTokenSize)}, strings.Repeat("a", maxTokenSize), nil},
		{"oversized token is invalid", []string{"Bearer " + strings.Repeat("a", maxTokenSize+1)}, "", ErrInvalidToken},
		{"padding only is invalid", []string{"Bearer ==="}, "", ErrInvalidToken},
		{"padding in the middle is invalid", []string{"Bearer ab=cd"}, "", ErrInvalidToken},
		{"JSON serialization is invalid", []string{`Bearer {"payload":"x","signature":"y"}`}, "", ErrInvalidToken},
		{"comma is invalid", []string{"Bearer a,b"}, "", ErrInvalidToken},
		{"quotes are invalid", []string{`Bearer "abc"`}, "", ErrInvalidToken},
		{"tab inside the token is invalid", []string{"Bearer ab\tcd"}, "", ErrInvalidToken},
		{"NUL inside the token is invalid", []string{"Bearer ab\x00cd"}, "", ErrInvalidToken},
		{"non-ASCII is invalid", []string{"Bearer abcé"}, "", ErrInvalidToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.headers {
				h.Add("Authorization", v)
			}
			got, err := BearerToken(h)
			if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("BearerToken = %q, %v (%s); want %q, %v", got, err, sentinel(err), tc.want, tc.wantErr)
			}
			if tc.wantErr == ErrNoToken && errors.Is(err, ErrInvalidToken) {
				t.Errorf("error %v is both no token and invalid token", err)
			}
		})
	}
}

// isToken68 checks eight bytes per branch and the rest one by one: every
// byte value, at every place of a token that has a tail, must be judged as
// the grammar says.
func TestIsToken68JudgesEveryByteAnywhere(t *testing.T) {
	allowed := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
	}
	const valid = "eyJhbGciOiJSUzI1NiJ9.e30" // 24 bytes: three blocks of eight
	for _, n := range []int{1, 7, 8, 9, 19, len(valid)} {
		for i := range n {
			for c := range 256 {
				b := []byte(valid[:n])
				b[i] = byte(c)
				s := string(b)
				want := allowed(byte(c)) || c == '=' && !strings.ContainsFunc(s[i:], func(r rune) bool { return r != '=' }) && i > 0
				if got := isToken68(s); got != want {
					t.Fatalf("isToken68(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
