// Package e2e drives the single-page app in headless Chromium against the
// real server binary: sign-in through the development issuer's page, every
// endpoint button, CORS across two origins.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/syncbuf"
)

// chromiumPath is Debian's Chromium, which scripts/test.sh installs.
const chromiumPath = "/usr/bin/chromium"

// requireChromium skips the test without Chromium, except in CI, where a
// missing browser must not pass as a green run.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (scripts/test.sh installs it): %v", chromiumPath, err)
		}
		t.Skipf("skipping browser tests: %s is missing; install it with `apt-get install chromium` or run scripts/test.sh", chromiumPath)
	}
	if testing.Short() {
		t.Skip("skipping browser tests in -short mode")
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// serverBinary builds the fnguard command once per test run: the tests
// start the real process, as a developer does with `go run .`.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fnguard-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fnguard")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/fnguard/fnguard")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var listeningLine = regexp.MustCompile(`^fnguard listening on (http://\S+)`)

// startServer runs the server binary on a free port with env added to a
// clean environment (no AUTH0_* from the developer's shell), and returns
// its base URL once it listens. It stops the server when the test ends.
func startServer(t *testing.T, env ...string) string {
	t.Helper()
	bin := serverBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"HOST=127.0.0.1",
		"PORT=0",
		"DEV_ISSUER_KEY_FILE=" + filepath.Join(t.TempDir(), "dev-key.pem"),
		// The repository's own rules, as `go run .` in its root reads them.
		"NETLIFY_TOML=" + filepath.Join("..", "netlify.toml"),
		"LOG_LEVEL=warn",
	}, env...)
	stderr := &syncbuf.Buffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		// The server's warnings (why it refused a token, say) explain
		// most failures that the page only shows as a status.
		if t.Failed() {
			t.Logf("server stderr:\n%s", stderr.String())
		}
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server exited with %v; stderr:\n%s", err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("server did not stop within 15s of SIGINT")
		}
	})
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	select {
	case u := <-urlc:
		return u
	case err := <-done:
		done <- err
		t.Fatalf("server exited before listening: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not listen within 30s\n%s", stderr.String())
	}
	return ""
}

// listen reserves a loopback port for a server that needs its own origin
// before the other server, which must know it, starts.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func withTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
