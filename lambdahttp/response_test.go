package lambdahttp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// TestEncodeIsEncodingJSONs holds the hand-written response encoder to what
// encoding/json writes for aws-lambda-go's response structs.
func TestEncodeIsEncodingJSONs(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		status int
		body   string
	}{
		{"a JSON answer", http.Header{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}, "Vary": {"Origin", "Authorization"}}, 200, `{"sub":"u1"}` + "\n"},
		{"no status and no body", http.Header{}, 0, ""},
		{"cookies and odd values", http.Header{"Set-Cookie": {"a=1", "b=2"}, "X-Odd": {"<\"\\\u2028>"}, "X-Nil": nil}, 404, "not found"},
		{"a compressed body", http.Header{"Content-Encoding": {"gzip"}}, 200, "\x1f\x8b\x08binary"},
		{"a body that is not UTF-8", http.Header{}, 200, "caf\xe9"},
	}
	for _, tt := range tests {
		for _, v2 := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				w := newResponseWriter()
				for k, v := range tt.header {
					w.header[k] = v
				}
				w.status = tt.status
				w.body.WriteString(tt.body)
				got := w.encode(v2)

				status := tt.status
				if status == 0 {
					status = 200
				}
				body, b64 := tt.body, false
				if tt.header.Get("Content-Encoding") != "" || !utf8.ValidString(body) {
					body, b64 = base64.StdEncoding.EncodeToString([]byte(body)), true
				}
				var want []byte
				if v2 {
					headers := map[string]string{}
					for k, v := range tt.header {
						if k != "Set-Cookie" {
							headers[k] = strings.Join(v, ",")
						}
					}
					want, _ = json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers, Body: body, IsBase64Encoded: b64, Cookies: tt.header["Set-Cookie"]})
				} else {
					headers := map[string]string{}
					for k, v := range tt.header {
						headers[k] = strings.Join(v, ", ")
					}
					want, _ = json.Marshal(events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, MultiValueHeaders: tt.header, Body: body, IsBase64Encoded: b64})
				}
				if string(got) != string(want) {
					t.Errorf("v2=%v:\n got %s\nwant %s", v2, got, want)
				}
			})
		}
	}
}
