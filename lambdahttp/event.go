package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/fnguard/fnguard/internal/eventheader"
)

// event holds what a request needs of both payload versions. Decoding into
// it once replaces a probe for the version followed by a decode into
// aws-lambda-go's full structs, whose fields we never read.
type event struct {
	Version string `json:"version"` // "2.0" for v2; absent in v1

	// v1 (API Gateway REST, Netlify)
	HTTPMethod                      string              `json:"httpMethod"`
	Path                            string              `json:"path"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`

	// v2 (HTTP API, Function URL)
	RawPath        string   `json:"rawPath"`
	RawQueryString string   `json:"rawQueryString"`
	Cookies        []string `json:"cookies"`

	// both
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	RequestContext  struct {
		DomainName string `json:"domainName"`
		Identity   struct {
			SourceIP string `json:"sourceIp"`
		} `json:"identity"` // v1
		HTTP struct {
			Method   string `json:"method"`
			Path     string `json:"path"`
			SourceIP string `json:"sourceIp"`
		} `json:"http"` // v2
	} `json:"requestContext"`
}

func (ev *event) v2() bool { return ev.Version == "2.0" }

// request turns ev into the request the handler serves, or says why it
// cannot.
func (ev *event) request(ctx context.Context) (*http.Request, string) {
	method, path, query, remote := ev.HTTPMethod, ev.Path, "", ev.RequestContext.Identity.SourceIP
	if ev.v2() {
		method, path, query, remote = ev.RequestContext.HTTP.Method, ev.RawPath, ev.RawQueryString, ev.RequestContext.HTTP.SourceIP
		if path == "" {
			path = ev.RequestContext.HTTP.Path
		}
	}
	u, msg := checkRequest(method, ev.RequestContext.DomainName, path, query)
	if msg != "" {
		return nil, msg
	}
	if !ev.v2() {
		u.RawQuery = ev.v1Query()
	}
	var body io.ReadCloser = http.NoBody
	var length int64
	if ev.Body != "" {
		var b []byte
		if ev.IsBase64Encoded {
			var err error
			if b, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
				return nil, "event could not be turned into a request: its body is not base64"
			}
		} else {
			b = []byte(ev.Body)
		}
		body, length = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	var h http.Header
	if ev.v2() {
		h = make(http.Header, len(ev.Headers)+1)
		for k, v := range ev.Headers {
			h.Add(k, v)
		}
		if len(ev.Cookies) > 0 {
			// Payload 2.0 moves cookies out of the headers.
			h["Cookie"] = []string{strings.Join(ev.Cookies, "; ")}
		}
	} else {
		h = eventheader.Header(ev.MultiValueHeaders, ev.Headers)
	}
	dropProxyHeaders(h)
	r := &http.Request{
		Method:     strings.ToUpper(method),
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       body,
		Host:       u.Host,
		RemoteAddr: remote,
		RequestURI: u.RequestURI(),
		// The decoded length, as http.NewRequest would set it.
		ContentLength: length,
	}
	return r.WithContext(ctx), ""
}

// v1Query is the query string of a v1 event: its multi-value parameters
// when it has any, its single-value ones otherwise.
func (ev *event) v1Query() string {
	if len(ev.MultiValueQueryStringParameters) > 0 {
		return url.Values(ev.MultiValueQueryStringParameters).Encode()
	}
	if len(ev.QueryStringParameters) == 0 {
		return ""
	}
	q := make(url.Values, len(ev.QueryStringParameters))
	for k, v := range ev.QueryStringParameters {
		q[k] = []string{v}
	}
	return q.Encode()
}

// checkRequest catches what cannot make a request: a missing or malformed
// method, or a URL that does not parse (bad percent-encoding in the path,
// or a domain name that is no host). The URL is built as API Gateway's
// proxy adapters build it, from requestContext.domainName, the path and,
// in v2, the raw query; it returns that URL.
func checkRequest(method, domain, path, rawQuery string) (*url.URL, string) {
	if method == "" || strings.IndexFunc(method, notTokenChar) >= 0 {
		return nil, "event has no valid HTTP method"
	}
	if _, err := url.Parse("https://lambda.invalid/" + strings.TrimPrefix(path, "/")); err != nil {
		return nil, "event path is not a valid URL path"
	}
	if _, err := url.Parse("https://" + domain + "/"); err != nil {
		return nil, "event domain name is not a valid host"
	}
	// Parts that parse alone can still break together: a "#" in the domain
	// name turns the path into a fragment, a raw query can end in one. So
	// parse the URL exactly as it is assembled.
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	s := "https://" + domain + path
	if rawQuery != "" {
		s += "?" + rawQuery
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, "event URL is not valid"
	}
	return u, ""
}

// dropProxyHeaders removes X-GoLambdaProxy-* headers. aws-lambda-go-api-proxy
// (which this package used to be built on) trusts them as the API Gateway
// context in its header-based entry points, and any client can send them:
// nothing behind this adapter gets to read a forged one.
func dropProxyHeaders(h http.Header) {
	for k := range h {
		if len(k) >= len(proxyHeaderPrefix) && strings.EqualFold(k[:len(proxyHeaderPrefix)], proxyHeaderPrefix) {
			delete(h, k)
		}
	}
}

var proxyHeaderPrefix = textproto.CanonicalMIMEHeaderKey("X-GoLambdaProxy-")
