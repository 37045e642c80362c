package lambdatest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestNetlifyEvent(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "https://fnguard.netlify.app/api/r%C3%A9ports?a=1&a=2&b=x%20y", strings.NewReader(`{"k":1}`))
	r.Header.Set("Authorization", "Bearer t")
	r.Header.Add("Accept", "text/plain")
	r.Header.Add("Accept", "application/json")
	raw := NetlifyEvent(r)

	var shape map[string]json.RawMessage
	if err := json.Unmarshal(raw, &shape); err != nil {
		t.Fatal(err)
	}
	if _, ok := shape["requestContext"]; ok {
		t.Errorf("Netlify sends no requestContext: %s", raw)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"path", ev.Path, "/api/r%C3%A9ports"},
		{"httpMethod", ev.HTTPMethod, "POST"},
		{"headers[authorization]", ev.Headers["authorization"], "Bearer t"},
		{"headers[accept]", ev.Headers["accept"], "text/plain, application/json"},
		{"headers[host]", ev.Headers["host"], "fnguard.netlify.app"},
		{"multiValueHeaders[accept]", strings.Join(ev.MultiValueHeaders["accept"], "|"), "text/plain|application/json"},
		{"queryStringParameters[a]", ev.QueryStringParameters["a"], "2"},
		{"queryStringParameters[b]", ev.QueryStringParameters["b"], "x y"},
		{"multiValueQueryStringParameters[a]", strings.Join(ev.MultiValueQueryStringParameters["a"], "|"), "1|2"},
		{"body", ev.Body, `{"k":1}`},
		{"isBase64Encoded", ev.IsBase64Encoded, false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}

	binary := httptest.NewRequest(http.MethodPut, "/api/upload", strings.NewReader("\xff\xfe"))
	if err := json.Unmarshal(NetlifyEvent(binary), &ev); err != nil {
		t.Fatal(err)
	}
	if !ev.IsBase64Encoded || ev.Body != "//4=" {
		t.Errorf("binary body = %q, base64 %v; want it base64-encoded", ev.Body, ev.IsBase64Encoded)
	}
}

func TestResultHTTP(t *testing.T) {
	tests := []struct {
		name       string
		result     Result
		wantStatus int
		wantHeader http.Header
		wantBody   string
		wantErr    string
	}{
		{
			name: "a v1 answer merges both header maps",
			result: Result{Body: []byte(`{"statusCode":403,"headers":{"Content-Type":"application/json","X-Only-Single":"1"},` +
				`"multiValueHeaders":{"Content-Type":["application/json"],"Vary":["Origin","Authorization"]},"body":"{}"}`)},
			wantStatus: 403,
			wantHeader: http.Header{"Content-Type": {"application/json"}, "X-Only-Single": {"1"}, "Vary": {"Origin", "Authorization"}},
			wantBody:   "{}",
		},
		{
			name:       "a v2 answer turns cookies into Set-Cookie",
			result:     Result{Body: []byte(`{"statusCode":200,"headers":{"content-type":"text/plain"},"cookies":["a=1","b=2"],"body":"hi"}`)},
			wantStatus: 200,
			wantHeader: http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}},
			wantBody:   "hi",
		},
		{
			name:       "a base64 body is decoded",
			result:     Result{Body: []byte(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`)},
			wantStatus: 200, wantHeader: http.Header{}, wantBody: "hi",
		},
		{name: "a function error", result: Result{Err: &FunctionError{Type: "errorString", Message: "boom"}}, wantErr: "boom"},
		{name: "an answer that is not JSON", result: Result{Body: []byte(`hello`)}, wantErr: "not an API Gateway response"},
		{name: "an answer without statusCode", result: Result{Body: []byte(`{"body":"x"}`)}, wantErr: "no valid statusCode"},
		{name: "a body marked base64 that is not", result: Result{Body: []byte(`{"statusCode":200,"body":"*","isBase64Encoded":true}`)}, wantErr: "isBase64Encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.result.HTTP()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("HTTP() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("HTTP() = %d %q, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if len(resp.Header) != len(tt.wantHeader) {
				t.Errorf("header %v, want %v", resp.Header, tt.wantHeader)
			}
			for name, want := range tt.wantHeader {
				if got := resp.Header.Values(name); !slices.Equal(got, want) {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}
