package lambdatest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// The echo function (testdata/echo) is built like any Netlify function and
// driven through a Runtime: this is the whole path other tests rely on.

type echoAnswer struct {
	Payload       json.RawMessage   `json:"payload"`
	RequestID     string            `json:"request_id"`
	FunctionARN   string            `json:"function_arn"`
	Deadline      int64             `json:"deadline_ms"`
	ClientContext map[string]string `json:"client_context_custom"`
	Env           string            `json:"env"`
}

func TestFunctionProcessAnswersInvocations(t *testing.T) {
	bin := Build(t, "./testdata/echo")
	// Start passes only what it is given: this must not reach the function.
	t.Setenv("ECHO_ENV", "from the test's environment")
	rt := NewRuntime(t)
	p := rt.Start(bin, "ECHO_ENV=given")

	netlify := []byte(`{"identity":{"url":"https://example.netlify.app/.netlify/identity"},"user":{"sub":"1"}}`)
	deadline := time.Now().Add(20 * time.Second)
	var ids []string
	for i := range 3 { // one process serves invocation after invocation
		res, err := rt.Invoke(t.Context(), []byte(`{"payload":{"n":`+string(rune('0'+i))+`}}`), InvokeOptions{
			ClientContext: NetlifyClientContext(netlify),
			Deadline:      deadline,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Err != nil {
			t.Fatalf("function error: %v", res.Err)
		}
		var a echoAnswer
		if err := json.Unmarshal(res.Body, &a); err != nil {
			t.Fatalf("answer %q: %v", res.Body, err)
		}
		want := echoAnswer{
			Payload:       json.RawMessage(`{"n":` + string(rune('0'+i)) + `}`),
			RequestID:     res.RequestID,
			FunctionARN:   FunctionARN,
			Deadline:      deadline.UnixMilli(),
			ClientContext: map[string]string{"netlify": base64.StdEncoding.EncodeToString(netlify)},
			Env:           "given",
		}
		if string(a.Payload) != string(want.Payload) || a.RequestID != want.RequestID || a.FunctionARN != want.FunctionARN ||
			a.Deadline != want.Deadline || a.ClientContext["netlify"] != want.ClientContext["netlify"] || a.Env != want.Env {
			t.Fatalf("function saw %+v,\nwant %+v", a, want)
		}
		ids = append(ids, res.RequestID)
	}

	p.Stop()
	if !strings.Contains(p.Stdout(), "echo starting") {
		t.Errorf("stdout = %q, want the start line", p.Stdout())
	}
	for _, id := range ids {
		if !strings.Contains(p.Stderr(), "invoked request_id="+id) {
			t.Errorf("stderr lacks the line of request %s:\n%s", id, p.Stderr())
		}
	}
}

func TestFunctionProcessFailures(t *testing.T) {
	bin := Build(t, "./testdata/echo")
	tests := []struct {
		name      string
		event     string
		wantType  string // of the function error; "" when the process exits without answering
		wantExits int    // exit code; -1 when the process keeps serving
	}{
		{name: "a returned error is a function error", event: `{"do":"error"}`, wantType: "errorString", wantExits: -1},
		{name: "a panic is a function error, then the process exits", event: `{"do":"panic"}`, wantType: "string", wantExits: 1},
		{name: "an exit without an answer ends Invoke", event: `{"do":"exit"}`, wantExits: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := NewRuntime(t)
			p := rt.Start(bin)
			res, err := rt.Invoke(t.Context(), []byte(tt.event), InvokeOptions{})
			switch {
			case tt.wantType == "":
				if !errors.Is(err, ErrProcessExited) {
					t.Fatalf("Invoke = %+v, %v; want ErrProcessExited", res, err)
				}
			case err != nil:
				t.Fatal(err)
			case res.Err == nil || res.Err.Type != tt.wantType:
				t.Fatalf("Invoke = %+v; want a function error of type %s", res, tt.wantType)
			}

			if tt.wantExits < 0 {
				// Still serving: the next invocation is answered.
				res, err := rt.Invoke(t.Context(), []byte(`{"payload":1}`), InvokeOptions{})
				if err != nil || res.Err != nil {
					t.Fatalf("invocation after the error = %+v, %v", res, err)
				}
				return
			}
			state, err := p.Wait(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if state.ExitCode() != tt.wantExits {
				t.Errorf("exit code %d, want %d; stderr:\n%s", state.ExitCode(), tt.wantExits, p.Stderr())
			}
		})
	}
}
