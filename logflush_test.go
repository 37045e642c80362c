//go:build !lambda.norpc

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/syncbuf"
)

// slowSink is a log pipe that takes a while for every write, as a
// congested log collector would.
type slowSink struct{ syncbuf.Buffer }

func (s *slowSink) Write(p []byte) (int, error) {
	time.Sleep(2 * time.Millisecond)
	return s.Buffer.Write(p)
}

// TestShutdownWritesEveryRequestAndAuditLine: a graceful shutdown (SIGTERM
// cancels ctx) leaves every request's line and every denial's audit line in
// the log, however slow the log pipe. It guards any future buffering of the
// log: with the goroutine writer this test was written for, and no flush at
// shutdown, 55 of 80 request lines and 2 of 20 audit lines were there.
func TestShutdownWritesEveryRequestAndAuditLine(t *testing.T) {
	env := map[string]string{"PORT": "0", "DEV_ISSUER_KEY_FILE": t.TempDir() + "/dev.pem", "LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &slowSink{}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, nil, func(k string) string { return env[k] }, pw, logs)
		pw.Close()
		done <- err
	}()
	base := ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := regexp.MustCompile(`listening on (http://[0-9.:]+)`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatalf("server did not start: %v", <-done)
	}
	const public, denied = 60, 20
	var wg sync.WaitGroup
	for i := range public + denied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, want := "/api/public", 200
			req, _ := http.NewRequest(http.MethodGet, base+path, nil)
			if i >= public {
				want = 401
				req.URL.Path = "/api/me"
				req.Header.Set("Authorization", "Bearer not-a-token-but-secret")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s = %d, want %d", req.URL.Path, resp.StatusCode, want)
			}
		}()
	}
	wg.Wait()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	out := logs.String()
	if got := strings.Count(out, `"msg":"request"`); got != public+denied {
		t.Errorf("%d request lines after shutdown, want %d", got, public+denied)
	}
	if got := strings.Count(out, `"msg":"access denied"`); got != denied {
		t.Errorf("%d audit lines after shutdown, want %d", got, denied)
	}
	if strings.Contains(out, "not-a-token-but-secret") {
		t.Error("a token reached the log")
	}
}
