// Package redistest starts a real redis-server for tests: on a random
// loopback port, in a temporary directory, with persistence off, stopped
// when the test ends.
//
// A test that needs Redis fails when redis-server is not installed rather
// than skipping: scripts/test.sh installs it, and a skipped replay test
// would hide that the shared store was never exercised.
package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	Addr string // host:port on loopback
	URL  string // redis://host:port/0

	cmd      *exec.Cmd
	exited   chan struct{}
	stopOnce sync.Once
}

// Start runs a redis-server for the duration of t.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed (scripts/test.sh installs it; or apt-get install redis-server): %v", err)
	}
	// A port picked by listening on :0 may be taken again before Redis
	// binds it; try a few.
	var lastErr error
	for range 5 {
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

func start(t testing.TB, bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", t.TempDir(), "--save", "", "--appendonly", "no",
		"--logfile", "", "--daemonize", "no")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		cmd:    cmd,
		exited: make(chan struct{}),
	}
	s.URL = "redis://" + s.Addr + "/0"
	ready := make(chan struct{})
	var logTail strings.Builder
	go func() {
		// Read the log until Redis says it is ready, then drain it so the
		// process never blocks on a full pipe.
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			if !signalled {
				logTail.WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "Ready to accept connections") {
					signalled = true
					close(ready)
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		close(s.exited)
	}()
	select {
	case <-ready:
	case <-s.exited:
		return nil, fmt.Errorf("redis-server exited before it was ready:\n%s", logTail.String())
	case <-time.After(15 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("redis-server not ready after 15s")
	}
	t.Cleanup(s.Kill)
	return s, nil
}

// Kill stops the server at once (SIGKILL), as a crash would, and waits for
// it to exit. Calling it again does nothing.
func (s *Server) Kill() {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
