package lambdatest

import (
	"context"
	"os"
	"os/exec"
	"time"

	"github.com/fnguard/fnguard/internal/syncbuf"
)

// Process is a function binary running against a Runtime.
type Process struct {
	cmd    *exec.Cmd
	stdout syncbuf.Buffer
	stderr syncbuf.Buffer
	done   chan struct{}
	err    error // what cmd.Wait returned; set before done is closed
}

// Start runs binary as the Runtime's one function process, with the
// environment Lambda gives a function plus env ("NAME=value"; a later entry
// wins). Nothing else is inherited from the test's environment, so a
// developer's shell cannot change what the function sees. The process is
// killed when the test ends.
func (rt *Runtime) Start(binary string, env ...string) *Process {
	rt.t.Helper()
	p := &Process{done: make(chan struct{})}
	rt.mu.Lock()
	if rt.proc != nil {
		rt.mu.Unlock()
		rt.t.Fatalf("lambdatest: a Runtime serves one function process; make another with NewRuntime")
	}
	rt.proc = p
	rt.mu.Unlock()

	p.cmd = exec.Command(binary)
	p.cmd.Dir = rt.t.TempDir()
	p.cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=lambdatest",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
		"AWS_REGION=us-east-1",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin:/bin",
	}, env...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	// Should the function leave a child holding its output pipes, Wait
	// still returns.
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		rt.t.Fatalf("lambdatest: start %s: %v", binary, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
		rt.processExited(p)
	}()
	rt.t.Cleanup(p.Stop)
	return p
}

// Stop kills the process, if it still runs, and waits until it is gone and
// its output is complete.
func (p *Process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Wait waits for the process to exit on its own, and returns its state.
// The error is ctx's, when it ends first.
func (p *Process) Wait(ctx context.Context) (*os.ProcessState, error) {
	select {
	case <-p.done:
		return p.cmd.ProcessState, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// Stdout returns what the process wrote to stdout so far. Lines written
// just before an answer may still be in the pipe: call Stop (or Wait)
// first to read all of it.
func (p *Process) Stdout() string { return p.stdout.String() }

// Stderr returns what the process wrote to stderr so far (see Stdout).
func (p *Process) Stderr() string { return p.stderr.String() }

// Pid is the process id of the function, for reading its /proc entries.
func (p *Process) Pid() int { return p.cmd.Process.Pid }
