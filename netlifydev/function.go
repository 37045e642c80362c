package netlifydev

// Functions are served over HTTP the way Netlify invokes them: each request
// becomes the API Gateway v1 event Netlify would send, with the client
// context Netlify would attach, and the function's response becomes the
// HTTP response.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/strategies/guard"
)

// Limits Netlify puts on synchronous functions.
const (
	MaxBody = 6 << 20          // request payload
	Timeout = 10 * time.Second // default execution limit
)

// FunctionOptions are how a function is served.
type FunctionOptions struct {
	// NetlifyIdentity attaches clientContext.custom.netlify when the request
	// carries an Identity token (Bearer header or nf_jwt cookie), built from
	// the token's claims WITHOUT checking its signature, as `netlify dev`
	// does. Functions configured with the site's secret verify the token
	// themselves; see auth.Netlify.
	NetlifyIdentity bool
	// BodyMethods are the methods of the function's routes that take a
	// body; nil means every method. The body of any other request is never
	// read: the function gets the event without it (and answers 405 or 404
	// itself), so an anonymous caller cannot make this server buffer and
	// encode MaxBody for a function that takes none.
	BodyMethods []string
	Log         *slog.Logger
}

// ServeFunction serves the Lambda function h.
func ServeFunction(h lambda.Handler, o FunctionOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.BodyMethods != nil && !slices.Contains(o.BodyMethods, r.Method) {
			r = r.Clone(r.Context())
			r.Body = http.NoBody
		}
		ev, err := Event(r)
		if err != nil {
			writeResponse(w, guard.ErrorResponse(r.Context(), o.Log, &guard.Error{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large", Message: "The request body is too large."}))
			return
		}
		lc := &lambdacontext.LambdaContext{
			AwsRequestID:       ev.RequestContext.RequestID,
			InvokedFunctionArn: "arn:aws:lambda:local:000000000000:function:local",
		}
		if o.NetlifyIdentity {
			if nc := ClientContext(auth.Request{Header: r.Header}, "http://"+r.Host+"/.netlify/identity"); nc != "" {
				lc.ClientContext.Custom = map[string]string{guard.NetlifyContextKey: nc}
			}
		}
		ctx, cancel := context.WithTimeout(lambdacontext.NewContext(detached{r.Context()}, lc), Timeout)
		defer cancel()
		resp, err := invoke(ctx, h, ev)
		if err != nil {
			// Netlify answers a function error with a bare 502.
			if o.Log != nil {
				o.Log.ErrorContext(ctx, "function failed", "err", err)
			}
			resp = guard.JSON(http.StatusBadGateway, auth.Body{Error: "function_error", Message: "The function failed."})
		}
		writeResponse(w, resp)
	})
}

// detached carries a request's cancellation and none of its values: on
// Netlify a function runs in its own process, and nothing the server put in
// the request's context (a router's state, a request log) reaches it.
type detached struct{ context.Context }

func (detached) Value(any) any { return nil }

// invoke sends ev to h as the Lambda Runtime would: JSON in, JSON out.
func invoke(ctx context.Context, h lambda.Handler, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var resp events.APIGatewayProxyResponse
	payload, err := json.Marshal(ev)
	if err != nil {
		return resp, err
	}
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		return resp, err
	}
	err = json.Unmarshal(out, &resp)
	return resp, err
}

// Event is the API Gateway v1 event Netlify sends for r.
func Event(r *http.Request) (events.APIGatewayProxyRequest, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil || len(body) > MaxBody {
		return events.APIGatewayProxyRequest{}, errTooLarge
	}
	ev := events.APIGatewayProxyRequest{
		Path:                            r.URL.Path,
		HTTPMethod:                      r.Method,
		Headers:                         map[string]string{},
		MultiValueHeaders:               map[string][]string{},
		QueryStringParameters:           map[string]string{},
		MultiValueQueryStringParameters: map[string][]string{},
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID:  requestID(),
			HTTPMethod: r.Method,
			Path:       r.URL.Path,
			Identity:   events.APIGatewayRequestIdentity{SourceIP: clientIP(r)},
		},
	}
	// Netlify sends header names in lower case.
	for k, vs := range r.Header {
		name := strings.ToLower(k)
		ev.MultiValueHeaders[name] = vs
		ev.Headers[name] = vs[len(vs)-1]
	}
	ev.Headers["host"] = r.Host
	ev.MultiValueHeaders["host"] = []string{r.Host}
	for k, vs := range r.URL.Query() {
		ev.MultiValueQueryStringParameters[k] = vs
		ev.QueryStringParameters[k] = vs[len(vs)-1]
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body = base64.StdEncoding.EncodeToString(body)
		ev.IsBase64Encoded = true
	}
	return ev, nil
}

var errTooLarge = errors.New("request body too large")

func writeResponse(w http.ResponseWriter, resp events.APIGatewayProxyResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		w.Header().Del(k)
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if b, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = b
		}
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ClientContext is the clientContext.custom.netlify Netlify would attach
// for r: the identity endpoint and, when r carries an Identity token, the
// token's claims as the user. The claims are decoded, not verified, exactly
// like `netlify dev` does; it returns "" when there is no token to read.
func ClientContext(r auth.Request, identityURL string) string {
	token, err := auth.BearerToken(r.Header)
	if err != nil {
		if token, err = r.Cookie(auth.NetlifyCookie); err != nil {
			return ""
		}
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || !json.Valid(claims) || !strings.HasPrefix(strings.TrimSpace(string(claims)), "{") {
		return ""
	}
	doc, err := json.Marshal(map[string]any{
		"identity": map[string]string{"url": identityURL, "token": ""},
		"user":     json.RawMessage(claims),
	})
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(doc)
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
