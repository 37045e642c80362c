// Package lambdahttp serves a chi router as one AWS Lambda function, through
// aws-lambda-go-api-proxy's chi adapter. One handler takes both payload
// versions: API Gateway REST and Netlify events (v1), and HTTP API and
// Function URL events (v2).
package lambdahttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	chiadapter "github.com/awslabs/aws-lambda-go-api-proxy/chi"
	"github.com/go-chi/chi/v5"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
)

// Handler implements lambda.Handler.
type Handler struct {
	v1  *chiadapter.ChiLambda
	v2  *chiadapter.ChiLambdaV2
	log *slog.Logger
}

// New returns a Handler serving mux.
func New(mux *chi.Mux, log *slog.Logger) *Handler {
	return &Handler{v1: chiadapter.New(mux), v2: chiadapter.NewV2(mux), log: log}
}

// probe tells the two payload versions apart: v2 events say "version":"2.0"
// and carry the method in requestContext.http.
type probe struct {
	Version    string `json:"version"`
	HTTPMethod string `json:"httpMethod"`
}

// maxReserve bounds the time kept back from the invocation's deadline.
const maxReserve = 500 * time.Millisecond

// Invoke answers one invocation. A malformed event gets a 400 response, not
// a function error: API Gateway would turn an error into an opaque 502.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = logger.WithAttrs(ctx, slog.String("lambda_request_id", lc.AwsRequestID))
	}
	// Work that waits on ctx (a JWKS fetch from a slow issuer) must give up
	// a little before Lambda's deadline, not at it: Lambda kills a function
	// that is still running at the deadline, and the caller then gets an
	// opaque 502 instead of our 503.
	if deadline, ok := ctx.Deadline(); ok {
		reserve := min(maxReserve, time.Until(deadline)/10)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-reserve))
		defer cancel()
	}
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return h.badEvent(ctx, false, "event is not a JSON object")
	}
	v2 := p.Version == "2.0"
	// aws-lambda-go would report a panic as a function error and end the
	// process; the caller deserves a 500 like any other server's.
	defer func() {
		if v := recover(); v != nil {
			h.logger(ctx).ErrorContext(ctx, "panic serving invocation", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			out, err = h.respondError(v2, http.StatusInternalServerError, "internal_error", "Something went wrong on our side.")
		}
	}()
	if v2 {
		return h.invokeV2(ctx, payload)
	}
	return h.invokeV1(ctx, payload)
}

func (h *Handler) invokeV1(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return h.badEvent(ctx, false, "event does not match the API Gateway v1 shape")
	}
	if msg := checkRequest(ev.HTTPMethod, ev.RequestContext.DomainName, ev.Path, ""); msg != "" {
		return h.badEvent(ctx, false, msg)
	}
	dropProxyHeaders(ev.Headers)
	dropProxyHeaders(ev.MultiValueHeaders)
	resp, err := h.v1.ProxyWithContext(ctx, ev)
	if err != nil {
		return h.badEvent(ctx, false, "event could not be turned into a request")
	}
	resp.Headers = singleValue(resp.MultiValueHeaders)
	encodeBody(&resp.Body, &resp.IsBase64Encoded, resp.Headers)
	return json.Marshal(resp)
}

func (h *Handler) invokeV2(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return h.badEvent(ctx, true, "event does not match the API Gateway v2 shape")
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if msg := checkRequest(ev.RequestContext.HTTP.Method, ev.RequestContext.DomainName, path, ev.RawQueryString); msg != "" {
		return h.badEvent(ctx, true, msg)
	}
	dropProxyHeaders(ev.Headers)
	resp, err := h.v2.ProxyWithContextV2(ctx, ev)
	if err != nil {
		return h.badEvent(ctx, true, "event could not be turned into a request")
	}
	encodeBody(&resp.Body, &resp.IsBase64Encoded, resp.Headers)
	return json.Marshal(resp)
}

// checkRequest catches what would make the adapter fail (it then answers
// 504 and prints the raw path, which may hold a token): a missing or
// malformed method, or a URL that does not parse: bad percent-encoding in
// the path, or a domain name that is no host (the adapter builds the URL
// from requestContext.domainName, the path and, in v2, the raw query).
func checkRequest(method, domain, path, rawQuery string) string {
	if method == "" || strings.IndexFunc(method, notTokenChar) >= 0 {
		return "event has no valid HTTP method"
	}
	if _, err := url.Parse("https://lambda.invalid/" + strings.TrimPrefix(path, "/")); err != nil {
		return "event path is not a valid URL path"
	}
	if _, err := url.Parse("https://" + domain + "/"); err != nil {
		return "event domain name is not a valid host"
	}
	// Parts that parse alone can still break together: a "#" in the domain
	// name turns the path into a fragment, a raw query can end in one. So
	// parse the URL exactly as the adapter assembles it.
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := "https://" + domain + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	if _, err := url.Parse(u); err != nil {
		return "event URL is not valid"
	}
	return ""
}

// notTokenChar reports whether r may not appear in an HTTP method, a token
// (RFC 9110 §5.6.2).
func notTokenChar(r rune) bool {
	return r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// dropProxyHeaders removes X-GoLambdaProxy-* headers from an event. The
// adapter's header-based entry points trust them as the API Gateway
// context, and any client can send them: nothing behind this adapter gets
// to read a forged one.
func dropProxyHeaders[V any](h map[string]V) {
	for k := range h {
		if len(k) >= len(proxyHeaderPrefix) && strings.EqualFold(k[:len(proxyHeaderPrefix)], proxyHeaderPrefix) {
			delete(h, k)
		}
	}
}

const proxyHeaderPrefix = "X-GoLambdaProxy-"

// singleValue fills the single-value header map: Netlify has ignored
// multiValueHeaders in Go functions' responses.
func singleValue(h map[string][]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// encodeBody makes sure a compressed body travels base64-encoded, as the
// isBase64Encoded contract requires for binary data.
func encodeBody(body *string, isBase64 *bool, headers map[string]string) {
	if *isBase64 {
		return
	}
	for k, v := range headers {
		if strings.EqualFold(k, "Content-Encoding") && v != "" && v != "identity" {
			*body = base64.StdEncoding.EncodeToString([]byte(*body))
			*isBase64 = true
			return
		}
	}
}

func (h *Handler) badEvent(ctx context.Context, v2 bool, msg string) ([]byte, error) {
	h.logger(ctx).WarnContext(ctx, "bad event", "reason", msg)
	return h.respondError(v2, http.StatusBadRequest, "bad_request", msg)
}

// logger returns the logger for lines written outside the router's request
// log, which adds the Lambda request id by itself.
func (h *Handler) logger(ctx context.Context) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return h.log.With("lambda_request_id", lc.AwsRequestID)
	}
	return h.log
}

// respondError answers without the router, in the body shape of every
// error response.
func (h *Handler) respondError(v2 bool, status int, code, msg string) ([]byte, error) {
	body, _ := json.Marshal(auth.Body{Error: code, Message: msg})
	headers := map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"}
	if v2 {
		return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers, Body: string(body)})
	}
	return json.Marshal(events.APIGatewayProxyResponse{
		StatusCode: status, Headers: headers,
		MultiValueHeaders: map[string][]string{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}},
		Body:              string(body),
	})
}
