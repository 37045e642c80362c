package securitytest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/lambdatest"
	"github.com/fnguard/fnguard/internal/syncbuf"
)

func TestMain(m *testing.M) { lambdatest.Main(m) }

// flagship is the module's main package: the local server and, started by
// a Lambda runtime, the function.
const flagship = "github.com/fnguard/fnguard"

// request is one HTTP request, as hostile as a test likes: header lines
// are sent in order, repeated names included, bytes as given.
type request struct {
	method string // GET when empty
	target string // request-target: path and query, sent verbatim
	header [][2]string
	body   string
}

// response is what any target answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

// A target serves requests: the local server over TCP, or the Lambda
// function through a runtime.
type target interface {
	do(t *testing.T, r request) response
	// stop ends the process, so that logs is complete.
	stop(t *testing.T)
	logs() string
}

// localServer is the flagship binary serving HTTP on loopback.
type localServer struct {
	addr   string
	cmd    *exec.Cmd
	stderr *syncbuf.Buffer
	done   chan error
	once   sync.Once
}

var listening = regexp.MustCompile(`fnguard listening on http://(127\.0\.0\.1:\d+)`)

// startLocal runs binary as the local server, trusting iss, and stops it
// (gracefully, checking that it exits cleanly) when t ends.
func startLocal(t *testing.T, binary string, iss *Issuer) *localServer {
	t.Helper()
	s := &localServer{stderr: &syncbuf.Buffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(binary)
	s.cmd.Env = []string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(),
		"HOST=127.0.0.1", "PORT=0",
		"AUTH_ISSUER_URL=" + iss.URL, "AUTH0_AUDIENCE=" + iss.Audience, "AUTH_ROLES_CLAIM=" + iss.RolesClaim,
		// Log everything a request can make the server say.
		"LOG_LEVEL=debug", "LOG_FORMAT=json",
	}
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			s.addr = m[1]
			break
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		s.done <- s.cmd.Wait()
	}()
	if s.addr == "" {
		_ = s.cmd.Process.Kill()
		t.Fatalf("local server did not start: %v\n%s", <-s.done, s.stderr)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop asks the server to shut down as a deployment would, and checks that
// it exits cleanly.
func (s *localServer) stop(t *testing.T) {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("local server exited with %v after SIGTERM", err)
			}
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			t.Errorf("local server did not stop within 15s of SIGTERM")
		}
	})
}

func (s *localServer) logs() string { return s.stderr.String() }

// do writes r on a fresh connection, byte for byte, and reads the answer.
func (s *localServer) do(t *testing.T, r request) response {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", or(r.method, "GET"), r.target, s.addr)
	for _, h := range r.header {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(r.body), r.body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no HTTP answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// lambdaFunction is the flagship binary started by a Lambda runtime; it
// turns each request into an event of one payload version.
type lambdaFunction struct {
	rt      *lambdatest.Runtime
	proc    *lambdatest.Process
	version int // 1: API Gateway REST and Netlify; 2: HTTP API and Function URLs
}

func startLambda(t *testing.T, binary string, iss *Issuer, version int, env ...string) *lambdaFunction {
	t.Helper()
	rt := lambdatest.NewRuntime(t)
	p := rt.Start(binary, append([]string{"AUTH_ISSUER_URL=" + iss.URL, "AUTH0_AUDIENCE=" + iss.Audience,
		"AUTH_ROLES_CLAIM=" + iss.RolesClaim, "LOG_LEVEL=debug"}, env...)...)
	return &lambdaFunction{rt: rt, proc: p, version: version}
}

// logs is everything the function printed: its logs go to stderr, and a
// library printing to stdout would reach CloudWatch just the same.
func (f *lambdaFunction) stop(*testing.T) { f.proc.Stop() }

func (f *lambdaFunction) logs() string { return f.proc.Stderr() + f.proc.Stdout() }

func (f *lambdaFunction) do(t *testing.T, r request) response {
	t.Helper()
	return f.invoke(t, f.event(r), lambdatest.InvokeOptions{})
}

// invoke sends payload and decodes the function's answer, which must be a
// response: an error would reach the caller as an opaque 502.
func (f *lambdaFunction) invoke(t *testing.T, payload []byte, opts lambdatest.InvokeOptions) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := f.rt.Invoke(ctx, payload, opts)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if res.Err != nil {
		t.Fatalf("the function answered with an error (a 502 for the caller): %v", res.Err)
	}
	var out struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("the function's answer is not a proxy response: %v: %.300s", err, res.Body)
	}
	h := http.Header{}
	for k, v := range out.Headers {
		h.Set(k, v)
	}
	body := []byte(out.Body)
	if out.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(out.Body); err != nil {
			t.Fatalf("isBase64Encoded body is not base64: %v", err)
		}
	}
	if strings.EqualFold(h.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body: %v", err)
		}
	}
	return response{status: out.StatusCode, header: h, body: body}
}

// event is r as API Gateway (or Netlify) would hand it to the function.
func (f *lambdaFunction) event(r request) []byte {
	method := or(r.method, "GET")
	path, rawQuery, _ := strings.Cut(r.target, "?")
	query, _ := url.ParseQuery(rawQuery)
	multi := map[string][]string{}
	for _, h := range r.header {
		multi[h[0]] = append(multi[h[0]], h[1])
	}
	var ev map[string]any
	if f.version == 2 {
		headers := map[string]string{}
		for k, v := range multi {
			// HTTP APIs join repeated headers with commas.
			headers[strings.ToLower(k)] = strings.Join(v, ",")
		}
		ev = map[string]any{
			"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": rawQuery,
			"headers": headers, "body": r.body, "isBase64Encoded": false,
			"requestContext": map[string]any{
				"domainName": "api.fnguard.test", "requestId": "req",
				"http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
			},
		}
	} else {
		single := map[string]string{}
		for k, v := range multi {
			single[k] = v[len(v)-1]
		}
		singleQuery := map[string]string{}
		for k, v := range query {
			singleQuery[k] = v[len(v)-1]
		}
		ev = map[string]any{
			"httpMethod": method, "path": path, "headers": single, "multiValueHeaders": multi,
			"queryStringParameters": singleQuery, "multiValueQueryStringParameters": map[string][]string(query),
			"body": r.body, "isBase64Encoded": false,
			"requestContext": map[string]any{"domainName": "api.fnguard.test", "requestId": "req", "httpMethod": method, "path": path},
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return b
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
