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
			if len(tc.headers) == 1 {
				got, err := BearerTokenFromMap(map[string]string{"authorization": tc.headers[0]})
				if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
					t.Errorf("BearerTokenFromMap = %q, %v; want the same as BearerToken", got, err)
				}
			}
		})
	}
}

func TestBearerTokenFromMap(t *testing.T) {
	bearer := "Bearer " + sampleJWT
	tests := []struct {
		name    string
		headers map[string]string
		want    string
		wantErr error
	}{
		{"nil map is no token", nil, "", ErrNoToken},
		{"map without Authorization is no token", map[string]string{"content-type": "application/json"}, "", ErrNoToken},
		{"lower-case key is read", map[string]string{"authorization": bearer}, sampleJWT, nil},
		{"canonical key is read", map[string]string{"Authorization": bearer}, sampleJWT, nil},
		{"upper-case key is read", map[string]string{"AUTHORIZATION": bearer}, sampleJWT, nil},
		{"mixed-case key is read", map[string]string{"aUtHoRiZaTiOn": bearer}, sampleJWT, nil},
		{"the same header under two casings is invalid", map[string]string{"authorization": bearer, "Authorization": bearer}, "", ErrInvalidToken},
		{"a Basic and a Bearer header under two casings are invalid", map[string]string{"authorization": "Basic dXNlcjpwYXNz", "Authorization": bearer}, "", ErrInvalidToken},
		{"a similar key is not Authorization", map[string]string{"x-authorization": bearer, "proxy-authorization": bearer}, "", ErrNoToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BearerTokenFromMap(tc.headers)
			if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("BearerTokenFromMap = %q, %v (%s); want %q, %v", got, err, sentinel(err), tc.want, tc.wantErr)
			}
		})
	}
}
