package lambdatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	// MaxPayload is Lambda's limit on a synchronous invocation's event and
	// on the function's response.
	MaxPayload = 6 << 20
	// DefaultTimeout is the deadline of an invocation that sets none. It is
	// longer than Netlify's 10 seconds so that a busy test machine does not
	// time out functions that would be fast in production.
	DefaultTimeout = 30 * time.Second
	// FunctionARN is the Lambda-Runtime-Invoked-Function-Arn of every
	// invocation.
	FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:lambdatest"
)

// The Runtime API's headers (see the AWS Lambda developer guide, "Using the
// Lambda runtime API for custom runtimes").
const (
	headerRequestID     = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline      = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID       = "Lambda-Runtime-Trace-Id"
	headerClientContext = "Lambda-Runtime-Client-Context"
	headerErrorType     = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody    = "Lambda-Runtime-Function-Error-Body"
)

// ErrProcessExited is returned by Invoke when the function process started
// by Runtime.Start exits before answering.
var ErrProcessExited = errors.New("lambdatest: function process exited")

// InvokeOptions are the parts of an invocation besides its event.
type InvokeOptions struct {
	// ClientContext is sent as Lambda-Runtime-Client-Context, a JSON object
	// that aws-lambda-go decodes into lambdacontext.ClientContext. Netlify
	// passes the caller's identity this way: see NetlifyClientContext.
	ClientContext []byte
	// Deadline is sent as Lambda-Runtime-Deadline-Ms. Zero means
	// DefaultTimeout after the function takes the event. The Runtime does
	// not enforce it: bound the wait with Invoke's context.
	Deadline time.Time
}

// Result is the outcome of one invocation: exactly one of Body and Err is
// set.
type Result struct {
	RequestID string         // the Lambda request id the function was given
	Body      []byte         // the function's response
	Err       *FunctionError // the error the function (or its init) reported
}

// FunctionError is an error a function reported to the Runtime API.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	Payload []byte `json:"-"` // the error document exactly as posted
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// NetlifyClientContext wraps netlify (a JSON document such as
// {"identity":{...},"user":{...}}) the way Netlify hands it to a Go
// function: base64 under custom.netlify.
func NetlifyClientContext(netlify []byte) []byte {
	b, _ := json.Marshal(map[string]any{
		"custom": map[string]string{"netlify": base64.StdEncoding.EncodeToString(netlify)},
	})
	return b
}

// Runtime is a Lambda Runtime API server on 127.0.0.1.
type Runtime struct {
	t      testing.TB
	srv    *httptest.Server
	events chan *invocation // unbuffered: an event goes to exactly one poll
	closed chan struct{}

	initFailed chan struct{} // closed once the function reports an init error
	exited     chan struct{} // closed once the started process exits

	mu       sync.Mutex
	inflight map[string]*invocation // handed to the function, not answered
	answered map[string]bool
	served   int // events handed out
	initErr  *FunctionError
	proc     *Process
}

type invocation struct {
	id      string
	payload []byte
	opts    InvokeOptions
	result  chan Result // buffered: a late answer never blocks the server
}

// NewRuntime starts a Runtime that is closed when t ends. Protocol misuse
// by the function is reported with t.Errorf.
func NewRuntime(t testing.TB) *Runtime {
	t.Helper()
	rt := &Runtime{
		t:          t,
		events:     make(chan *invocation),
		closed:     make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		inflight:   map[string]*invocation{},
		answered:   map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.handleInitError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rt.t.Errorf("lambdatest: the function called %s %s, which is not part of the Runtime API 2018-06-01", r.Method, r.URL.Path)
		writeAPIError(w, http.StatusNotFound, "NotFound", "not part of the Runtime API")
	})
	rt.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		// Long polls of /next return first, or Close would wait for them.
		close(rt.closed)
		rt.srv.Close()
	})
	return rt
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (rt *Runtime) Addr() string { return rt.srv.Listener.Addr().String() }

// Invoke hands payload to the function at its next poll and waits for its
// answer. The error is non-nil only when no answer came: ctx ended, the
// process exited, or the arguments are unusable. An error reported by the
// function (or by its init) is in Result.Err.
func (rt *Runtime) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	if len(payload) > MaxPayload {
		return Result{}, fmt.Errorf("lambdatest: event of %d bytes exceeds Lambda's %d", len(payload), MaxPayload)
	}
	if len(opts.ClientContext) > 0 {
		// A header cannot carry newlines, and Lambda sends compact JSON.
		var buf bytes.Buffer
		if err := json.Compact(&buf, opts.ClientContext); err != nil {
			return Result{}, fmt.Errorf("lambdatest: client context is not JSON: %w", err)
		}
		opts.ClientContext = buf.Bytes()
	}
	inv := &invocation{id: newRequestID(), payload: payload, opts: opts, result: make(chan Result, 1)}
	select {
	case rt.events <- inv:
	case <-rt.initFailed:
		// Lambda answers every invocation of a function whose init failed
		// with the init error.
		return Result{RequestID: inv.id, Err: rt.initError()}, nil
	case <-rt.exited:
		return Result{}, rt.exitError()
	case <-rt.closed:
		return Result{}, errors.New("lambdatest: runtime closed")
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdatest: the function never polled for request %s: %w", inv.id, context.Cause(ctx))
	}
	select {
	case res := <-inv.result:
		return res, nil
	case <-rt.exited:
		select {
		case res := <-inv.result:
			return res, nil
		default:
			return Result{}, rt.exitError()
		}
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdatest: the function did not answer request %s: %w", inv.id, context.Cause(ctx))
	}
}

// InitError returns the error the function reported to /runtime/init/error,
// or nil.
func (rt *Runtime) InitError() *FunctionError { return rt.initError() }

func (rt *Runtime) initError() *FunctionError {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.initErr
}

func (rt *Runtime) handleNext(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-rt.events:
	case <-r.Context().Done():
		return
	case <-rt.closed:
		writeAPIError(w, http.StatusInternalServerError, "RuntimeClosed", "the test is over")
		return
	}
	deadline := inv.opts.Deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(DefaultTimeout)
	}
	rt.mu.Lock()
	rt.inflight[inv.id] = inv
	rt.served++
	rt.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, FunctionARN)
	h.Set(headerTraceID, newTraceID())
	if len(inv.opts.ClientContext) > 0 {
		h.Set(headerClientContext, string(inv.opts.ClientContext))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (rt *Runtime) handleResponse(w http.ResponseWriter, r *http.Request) {
	body, ok := rt.readBody(w, r)
	if !ok {
		return
	}
	inv, ok := rt.take(w, r)
	if !ok {
		return
	}
	if len(body) > MaxPayload {
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload too large")
		inv.result <- Result{RequestID: inv.id, Err: &FunctionError{
			Type:    "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("response payload size exceeded the maximum of %d bytes", MaxPayload),
		}}
		return
	}
	// aws-lambda-go streams the response; when reading it fails midway it
	// sends the error in trailers instead.
	if typ := r.Trailer.Get(headerErrorType); typ != "" {
		fe := &FunctionError{Type: typ}
		if raw, err := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody)); err == nil {
			fe = parseFunctionError(raw, typ)
		}
		inv.result <- Result{RequestID: inv.id, Err: fe}
	} else {
		inv.result <- Result{RequestID: inv.id, Body: body}
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (rt *Runtime) handleError(w http.ResponseWriter, r *http.Request) {
	body, ok := rt.readBody(w, r)
	if !ok {
		return
	}
	inv, ok := rt.take(w, r)
	if !ok {
		return
	}
	inv.result <- Result{RequestID: inv.id, Err: parseFunctionError(body, r.Header.Get(headerErrorType))}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (rt *Runtime) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, ok := rt.readBody(w, r)
	if !ok {
		return
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	switch {
	case rt.initErr != nil:
		rt.t.Errorf("lambdatest: the function reported a second init error: %s", body)
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "init error already reported")
		return
	case rt.served > 0:
		rt.t.Errorf("lambdatest: the function reported an init error after taking an invocation: %s", body)
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "init is over")
		return
	}
	rt.initErr = parseFunctionError(body, r.Header.Get(headerErrorType))
	close(rt.initFailed)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (rt *Runtime) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "could not read the body")
		return nil, false
	}
	return body, true
}

// take claims the invocation an answer is for. Every answer needs a request
// id handed out by /next and not answered yet; anything else is a bug in
// the function's runtime loop, reported loudly.
func (rt *Runtime) take(w http.ResponseWriter, r *http.Request) (*invocation, bool) {
	id := r.PathValue("id")
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if inv, ok := rt.inflight[id]; ok {
		delete(rt.inflight, id)
		rt.answered[id] = true
		return inv, true
	}
	if rt.answered[id] {
		rt.t.Errorf("lambdatest: the function answered request %q twice (%s)", id, r.URL.Path)
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "request already answered")
		return nil, false
	}
	rt.t.Errorf("lambdatest: the function answered request %q, which it was never given (%s)", id, r.URL.Path)
	writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
	return nil, false
}

func (rt *Runtime) processExited(p *Process) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.proc == p {
		close(rt.exited)
	}
}

func (rt *Runtime) exitError() error {
	rt.mu.Lock()
	p := rt.proc
	rt.mu.Unlock()
	return fmt.Errorf("%w (%v); its stderr:\n%s", ErrProcessExited, p.err, tail(p.Stderr(), 4096))
}

// parseFunctionError reads the error document of the Runtime API,
// {"errorType": ..., "errorMessage": ...}; a body that is not one still
// counts as an error, with typ from the Lambda-Runtime-Function-Error-Type
// header.
func parseFunctionError(body []byte, typ string) *FunctionError {
	fe := &FunctionError{}
	if err := json.Unmarshal(body, fe); err != nil {
		fe.Message = string(body)
	}
	if fe.Type == "" {
		fe.Type = typ
	}
	fe.Payload = body
	return fe
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

// newRequestID returns a random UUID, the shape of Lambda request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header like Lambda's.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
