package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fnguard/fnguard/internal/jsonenc"
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
	}
	// As net/http does at the first body write, whatever the status.
	if _, ok := w.header["Content-Type"]; !ok && w.body.Len() == 0 && len(b) > 0 {
		w.header.Set("Content-Type", http.DetectContentType(b))
	}
	return w.body.Write(b)
}

// encode is the event response: single-value headers always (Netlify has
// ignored multiValueHeaders in Go functions' responses), multiValueHeaders
// too in v1, Set-Cookie as cookies in v2. A body that is compressed or not
// UTF-8 travels base64-encoded, as the isBase64Encoded contract requires for
// binary data. The bytes are what encoding/json writes for aws-lambda-go's
// response structs (TestEncodeIsEncodingJSONs), without its reflection and
// map sorting, which were a fifth of an invocation.
func (w *responseWriter) encode(v2 bool) []byte {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body, isBase64 := w.body.Bytes(), false
	if enc := w.header.Get("Content-Encoding"); (enc != "" && enc != "identity") || !utf8.Valid(body) {
		body, isBase64 = base64.StdEncoding.AppendEncode(nil, body), true
	}
	keys := make([]string, 0, len(w.header))
	for k := range w.header {
		if !v2 || k != "Set-Cookie" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	sep := ", "
	if v2 {
		sep = ","
	}
	b := make([]byte, 0, 256+len(keys)*48+len(body)*11/10)
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"headers":{`...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.String(b, k)
		b = append(b, ':')
		b = jsonenc.String(b, strings.Join(w.header[k], sep))
	}
	b = append(b, `},"multiValueHeaders":`...)
	if v2 {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.String(b, k)
			b = append(b, ':')
			b = jsonenc.Strings(b, w.header[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"body":`...)
	b = jsonenc.String(b, string(body))
	if isBase64 {
		b = append(b, `,"isBase64Encoded":true`...)
	}
	if v2 {
		b = append(b, `,"cookies":`...)
		b = jsonenc.Strings(b, w.header["Set-Cookie"])
	}
	return append(b, '}')
}
