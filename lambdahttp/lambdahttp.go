// Package lambdahttp serves a chi router as one AWS Lambda function, through
// aws-lambda-go-api-proxy's chi adapter. One handler takes both payload
// versions: API Gateway REST and Netlify events (v1), and HTTP API and
// Function URL events (v2).
package lambdahttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

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

// Invoke answers one invocation. A malformed event gets a 400 response, not
// a function error: API Gateway would turn an error into an opaque 502.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = logger.WithAttrs(ctx, slog.String("lambda_request_id", lc.AwsRequestID))
	}
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return h.badEvent(ctx, false, "event is not a JSON object")
	}
	if p.Version == "2.0" {
		return h.invokeV2(ctx, payload)
	}
	return h.invokeV1(ctx, payload)
}

func (h *Handler) invokeV1(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return h.badEvent(ctx, false, "event does not match the API Gateway v1 shape")
	}
	if msg := checkRequest(ev.HTTPMethod, ev.Path); msg != "" {
		return h.badEvent(ctx, false, msg)
	}
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
	if msg := checkRequest(ev.RequestContext.HTTP.Method, path); msg != "" {
		return h.badEvent(ctx, true, msg)
	}
	resp, err := h.v2.ProxyWithContextV2(ctx, ev)
	if err != nil {
		return h.badEvent(ctx, true, "event could not be turned into a request")
	}
	encodeBody(&resp.Body, &resp.IsBase64Encoded, resp.Headers)
	return json.Marshal(resp)
}

// checkRequest catches what would make the adapter fail (it then answers
// 504 and logs the raw path): a missing method, or a path that is not a
// valid URL path, such as bad percent-encoding.
func checkRequest(method, path string) string {
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return "event has no valid HTTP method"
	}
	if _, err := url.Parse("https://lambda.invalid/" + strings.TrimPrefix(path, "/")); err != nil {
		return "event path is not a valid URL path"
	}
	return ""
}

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
	h.log.WarnContext(ctx, "bad event", "reason", msg)
	body, _ := json.Marshal(auth.Body{Error: "bad_request", Message: msg})
	headers := map[string]string{"Content-Type": "application/json"}
	if v2 {
		return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest, Headers: headers, Body: string(body)})
	}
	return json.Marshal(events.APIGatewayProxyResponse{
		StatusCode: http.StatusBadRequest, Headers: headers,
		MultiValueHeaders: map[string][]string{"Content-Type": {"application/json"}},
		Body:              string(body),
	})
}
