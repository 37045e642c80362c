package lambdatest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NetlifyEvent returns the event Netlify sends a Go function for r (build
// it with httptest.NewRequest): payload v1 with lower-case header names in
// both headers and multiValueHeaders, the path as sent, and no
// requestContext.
func NetlifyEvent(r *http.Request) []byte {
	ev := map[string]any{
		"path":                            r.URL.EscapedPath(),
		"httpMethod":                      r.Method,
		"headers":                         map[string]string{},
		"multiValueHeaders":               map[string][]string{},
		"queryStringParameters":           map[string]string{},
		"multiValueQueryStringParameters": map[string][]string{},
		"rawUrl":                          "https://" + r.Host + r.URL.RequestURI(),
		"rawQuery":                        r.URL.RawQuery,
		"body":                            "",
		"isBase64Encoded":                 false,
	}
	headers := ev["headers"].(map[string]string)
	multi := ev["multiValueHeaders"].(map[string][]string)
	for name, values := range r.Header {
		name = strings.ToLower(name)
		headers[name] = strings.Join(values, ", ")
		multi[name] = values
	}
	if r.Host != "" {
		headers["host"], multi["host"] = r.Host, []string{r.Host}
	}
	query := ev["queryStringParameters"].(map[string]string)
	for name, values := range r.URL.Query() {
		query[name] = values[len(values)-1]
		ev["multiValueQueryStringParameters"].(map[string][]string)[name] = values
	}
	if r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		if utf8.Valid(body) {
			ev["body"] = string(body)
		} else {
			ev["body"], ev["isBase64Encoded"] = base64.StdEncoding.EncodeToString(body), true
		}
	}
	b, _ := json.Marshal(ev)
	return b
}

// HTTP reads the function's answer as the HTTP response the platform would
// send: an API Gateway response of payload v1 (headers merged with
// multiValueHeaders) or v2 (cookies become Set-Cookie), body decoded from
// base64 when isBase64Encoded says so. Content-Encoding is left as is.
func (r Result) HTTP() (*http.Response, error) {
	if r.Err != nil {
		return nil, fmt.Errorf("the function failed: %w", r.Err)
	}
	var p struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return nil, fmt.Errorf("the function's answer is not an API Gateway response: %w", err)
	}
	if p.StatusCode < 100 || p.StatusCode > 999 {
		return nil, errors.New("the function's answer has no valid statusCode")
	}
	h := http.Header{}
	for name, values := range p.MultiValueHeaders {
		for _, v := range values {
			h.Add(name, v)
		}
	}
	for name, v := range p.Headers {
		// API Gateway lets multiValueHeaders win for a name in both.
		if _, ok := h[http.CanonicalHeaderKey(name)]; !ok {
			h.Set(name, v)
		}
	}
	for _, c := range p.Cookies {
		h.Add("Set-Cookie", c)
	}
	body := []byte(p.Body)
	if p.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(p.Body); err != nil {
			return nil, fmt.Errorf("isBase64Encoded body: %w", err)
		}
	}
	return &http.Response{
		Status:        strconv.Itoa(p.StatusCode) + " " + http.StatusText(p.StatusCode),
		StatusCode:    p.StatusCode,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}, nil
}
