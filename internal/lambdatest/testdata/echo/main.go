// Command echo is a Lambda function for lambdatest's own tests. It answers
// with what it was given, and its event can ask it to fail in the ways a
// function fails.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Do      string          `json:"do"` // "", "error", "panic" or "exit"
	Payload json.RawMessage `json:"payload"`
}

type answer struct {
	Payload       json.RawMessage   `json:"payload"`
	RequestID     string            `json:"request_id"`
	FunctionARN   string            `json:"function_arn"`
	Deadline      int64             `json:"deadline_ms"`
	ClientContext map[string]string `json:"client_context_custom"`
	Env           string            `json:"env"`
}

func handle(ctx context.Context, ev event) (answer, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Fprintf(os.Stderr, "invoked request_id=%s do=%q\n", lc.AwsRequestID, ev.Do)
	switch ev.Do {
	case "error":
		return answer{}, errors.New("asked to fail")
	case "panic":
		panic("asked to panic")
	case "exit":
		os.Exit(3)
	}
	deadline, _ := ctx.Deadline()
	return answer{
		Payload:       ev.Payload,
		RequestID:     lc.AwsRequestID,
		FunctionARN:   lc.InvokedFunctionArn,
		Deadline:      deadline.UnixMilli(),
		ClientContext: lc.ClientContext.Custom,
		Env:           os.Getenv("ECHO_ENV"),
	}, nil
}

func main() {
	fmt.Println("echo starting at", time.Now().UTC().Format(time.RFC3339))
	lambda.Start(handle)
}
