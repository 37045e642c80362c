// Package lambdahttp serves an http.Handler (the flagship's chi router) as
// one AWS Lambda function. One handler takes both payload versions: API
// Gateway REST and Netlify events (v1), and HTTP API and Function URL
// events (v2). It decodes each event once, into the fields a request needs,
// and builds the request and the response itself.
package lambdahttp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
)

// Handler implements lambda.Handler.
type Handler struct {
	h   http.Handler
	log *slog.Logger
}

// New returns a Handler serving h.
func New(h http.Handler, log *slog.Logger) *Handler {
	return &Handler{h: h, log: log}
}

// Invoke answers one invocation. A malformed event gets a 400 response, not
// a function error: API Gateway would turn an error into an opaque 502.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = logger.WithAttrs(ctx, slog.String("lambda_request_id", lc.AwsRequestID))
	}
	ctx, cancel := KeepTime(ctx)
	defer cancel()
	var ev event
	if msg := decode(payload, &ev); msg != "" {
		return h.badEvent(ctx, ev.v2(), msg)
	}
	v2 := ev.v2()
	// aws-lambda-go would report a panic as a function error and end the
	// process; the caller deserves a 500 like any other server's.
	defer func() {
		if v := recover(); v != nil {
			h.logger(ctx).ErrorContext(ctx, "panic serving invocation", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			out, err = h.respondError(v2, http.StatusInternalServerError, "internal_error", "Something went wrong on our side.")
		}
	}()
	r, msg := ev.request(ctx)
	if msg != "" {
		return h.badEvent(ctx, v2, msg)
	}
	w := newResponseWriter()
	h.h.ServeHTTP(w, r)
	return w.encode(v2), nil
}

// decode reads payload into ev, once, and says what is wrong with it, if
// anything.
func decode(payload []byte, ev *event) string {
	if decodeFast(payload, ev) {
		return ""
	}
	*ev = event{}
	err := json.Unmarshal(payload, ev)
	if err == nil {
		return ""
	}
	// A field of the wrong type leaves the others decoded, "version"
	// included, so the message can name the shape.
	if _, ok := err.(*json.UnmarshalTypeError); ok && len(payload) > 0 && payload[firstNonSpace(payload)] == '{' {
		if ev.v2() {
			return "event does not match the API Gateway v2 shape"
		}
		return "event does not match the API Gateway v1 shape"
	}
	return "event is not a JSON object"
}

func firstNonSpace(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return i
		}
	}
	return 0
}

// notTokenChar reports whether r may not appear in an HTTP method, a token
// (RFC 9110 §5.6.2).
func notTokenChar(r rune) bool {
	return r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
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
	w := newResponseWriter()
	w.Header()["Content-Type"] = []string{"application/json"}
	w.Header()["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(status)
	body, _ := json.Marshal(auth.Body{Error: code, Message: msg})
	_, _ = w.Write(body)
	return w.encode(v2), nil
}
