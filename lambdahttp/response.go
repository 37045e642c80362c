package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// responseWriter collects the handler's answer for the event response.
type responseWriter struct {
	header http.Header
	body   bytes.Buffer
	status int
}

func newResponseWriter() *responseWriter {
	return &responseWriter{header: make(http.Header, 8)}
}

func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader keeps the first status, as net/http does.
func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		if _, ok := w.header["Content-Type"]; !ok && w.body.Len() == 0 {
			w.header.Set("Content-Type", http.DetectContentType(b))
		}
	}
	return w.body.Write(b)
}

// encode is the event response: single-value headers always (Netlify has
// ignored multiValueHeaders in Go functions' responses), multiValueHeaders
// too in v1, Set-Cookie as cookies in v2. A body that is compressed or not
// UTF-8 travels base64-encoded, as the isBase64Encoded contract requires for
// binary data.
func (w *responseWriter) encode(v2 bool) []byte {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body, isBase64 := w.body.String(), false
	if enc := w.header.Get("Content-Encoding"); (enc != "" && enc != "identity") || !utf8.Valid(w.body.Bytes()) {
		body, isBase64 = base64.StdEncoding.EncodeToString(w.body.Bytes()), true
	}
	var out []byte
	if v2 {
		headers := make(map[string]string, len(w.header))
		var cookies []string
		for k, vs := range w.header {
			if k == "Set-Cookie" {
				cookies = append(cookies, vs...)
				continue
			}
			headers[k] = strings.Join(vs, ",")
		}
		out, _ = json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers, Body: body, IsBase64Encoded: isBase64, Cookies: cookies})
	} else {
		headers := make(map[string]string, len(w.header))
		for k, vs := range w.header {
			headers[k] = strings.Join(vs, ", ")
		}
		out, _ = json.Marshal(events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, MultiValueHeaders: w.header, Body: body, IsBase64Encoded: isBase64})
	}
	return out
}
