//go:build unix

package netlifycli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds: the CLI's first install takes minutes, netlify dev builds every
// function before it serves them, and no single request may hang the run.
const (
	installTimeout = 10 * time.Minute
	readyTimeout   = 4 * time.Minute
	requestTimeout = 30 * time.Second
	stopTimeout    = 10 * time.Second
)

// requireNode skips the test without Node.js and npm, except in CI, where
// scripts/test.sh installs them and a skip must not pass as a green run.
func requireNode(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing (scripts/test.sh installs it): %v", tool, err)
			}
			t.Skipf("skipping the netlify dev test: %s is missing; install Node.js 20 or run scripts/test.sh", tool)
		}
	}
	if testing.Short() {
		t.Skip("skipping the netlify dev test in -short mode")
	}
}

// repoRoot is the repository this test belongs to.
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("git rev-parse --show-toplevel: %v (the test copies the repository's files, so it needs git)", err)
	}
	return strings.TrimSpace(string(out))
}

// netlifyCLI returns the netlify command pinned in netlify/cli/package.json,
// installing it with `npm ci` first when it is missing or another version.
func netlifyCLI(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(root, "netlify", "cli")
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
		Version         string            `json:"version"`
	}
	readJSON(t, filepath.Join(dir, "package.json"), &pkg)
	want := pkg.DevDependencies["netlify-cli"]
	if want == "" {
		t.Fatalf("%s/package.json pins no netlify-cli", dir)
	}
	installed := filepath.Join(dir, "node_modules", "netlify-cli", "package.json")
	pkg.Version = ""
	if _, err := os.Stat(installed); err == nil {
		readJSON(t, installed, &pkg)
	}
	if pkg.Version != want {
		t.Logf("installing netlify-cli %s with npm ci in %s (the first install takes minutes)", want, dir)
		ctx, cancel := context.WithTimeout(t.Context(), installTimeout)
		defer cancel()
		start := time.Now()
		// No install scripts: the CLI needs none, and some (sharp's) try
		// to download binaries.
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
		t.Logf("installed netlify-cli in %v", time.Since(start).Round(time.Second))
	}
	return filepath.Join(dir, "node_modules", ".bin", "netlify")
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// copyRepo copies the files the repository holds (tracked, and new files
// not ignored: what a commit of the work tree would hold) into a fresh
// directory, so that nothing local (node_modules, builds, .netlify state)
// changes what netlify dev sees.
func copyRepo(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "site")
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree, not yet in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// freePort returns a loopback port nobody listened on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// baseEnv is the part of this process's environment a child may see: what
// Go, Node.js and git need, and none of the developer's AUTH0_*, NETLIFY_*
// or other settings, which would change what the functions do.
func baseEnv(t *testing.T) []string {
	t.Helper()
	keep := map[string]bool{"PATH": true, "HOME": true, "USER": true, "LANG": true, "SHELL": true}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if keep[k] || (strings.HasPrefix(k, "GO") && k != "GOOS" && k != "GOARCH") {
			env = append(env, kv)
		}
	}
	// Go's own locations, spelled out: the children get another
	// XDG_CONFIG_HOME, where Go would otherwise look for its env file.
	out, err := exec.Command("go", "env", "GOENV", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		env = append(env, []string{"GOENV", "GOCACHE", "GOMODCACHE", "GOPATH"}[i]+"="+v)
	}
	return env
}

// process is a command run in its own process group, so that stopping it
// also stops what it started (netlify dev runs go build, and per
// invocation local-functions-proxy and the function).
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// start runs name in dir with env, its output written to logPath.
func start(t *testing.T, logPath, dir string, env []string, name string, args ...string) *process {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	return p
}

// stop ends the whole process group: SIGTERM, then SIGKILL if it lingers.
func (p *process) stop() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
	}
	// Children that outlive the leader (a function mid-invocation) go too.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// tail is the end of the process's log, for failure messages.
func (p *process) tail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	const n = 4000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return fmt.Sprintf("(the full log is %s)\n...%s", p.log, b)
}

// waitFor polls url until ready accepts the answer, the process dies or
// readyTimeout passes.
func waitFor(t *testing.T, p *process, url string, ready func(*http.Response) bool) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		if p.exited() {
			t.Fatalf("%s exited before %s answered:\n%s", p.cmd.Path, url, p.tail())
		}
		if resp, err := client.Get(url); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if ready(resp) {
				return
			}
			// A function that cannot start (a configuration it refuses)
			// is a 5xx; one not built yet is a 404.
			if resp.StatusCode >= 500 {
				t.Fatalf("%s answered %d before it was ready: %s\n%s", url, resp.StatusCode, body, p.tail())
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %s within %v:\n%s", p.cmd.Path, url, readyTimeout, p.tail())
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// isJSON: a function answered (before netlify dev has built a function, it
// answers a text or HTML "not found" of its own).
func isJSON(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "application/json"
}

// functionNames are the functions netlify dev builds from site.
func functionNames(t *testing.T, site string) []string {
	t.Helper()
	mains, err := filepath.Glob(filepath.Join(site, "netlify", "functions", "*", "main.go"))
	if err != nil || len(mains) == 0 {
		t.Fatalf("no netlify/functions/*/main.go in %s: %v", site, err)
	}
	var names []string
	for _, m := range mains {
		names = append(names, filepath.Base(filepath.Dir(m)))
	}
	return names
}

// site is a running `netlify dev`.
type site struct {
	URL string // http://127.0.0.1:port
	*process
}

// startNetlifyDev runs `netlify dev` on dir and waits until it serves every
// function. env, and what more(its URL) adds, reaches the functions:
// netlify dev passes its own environment on to them.
func startNetlifyDev(t *testing.T, netlify, dir, logPath string, env []string, more func(url string) []string) *site {
	t.Helper()
	port := freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	scratch := t.TempDir()
	env = append(append(env, more(url)...),
		// Offline and in CI mode: no telemetry, no update check, no
		// prompt; its global state in a directory of its own.
		"CI=true", "BROWSER=none", "XDG_CONFIG_HOME="+filepath.Join(scratch, "config"),
		// The function binaries netlify dev builds go to the temporary
		// directory: this one is removed with the test.
		"TMPDIR="+scratch,
	)
	p := start(t, logPath, dir, env, netlify, "dev",
		"--offline", "--internal-disable-edge-functions", // offline it cannot fetch Deno
		"--framework=#static", "--no-open", "--skip-gitignore",
		"--port", strconv.Itoa(port))
	s := &site{URL: url, process: p}
	started := time.Now()
	waitFor(t, p, s.URL+"/api/health", func(r *http.Response) bool { return r.StatusCode == http.StatusOK && isJSON(r) })
	for _, name := range functionNames(t, dir) {
		waitFor(t, p, s.URL+"/.netlify/functions/"+name, isJSON)
	}
	t.Logf("netlify dev served every function %v after start", time.Since(started).Round(100*time.Millisecond))
	return s
}

// startLocalServer builds and runs `go run .` of dir, the behaviour
// netlify dev must match, with env.
func startLocalServer(t *testing.T, dir, logPath string, env []string) *site {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fnguard")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir, build.Env = dir, env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	port := freePort(t)
	p := start(t, logPath, dir, append(env, "HOST=127.0.0.1", "PORT="+strconv.Itoa(port)), bin)
	s := &site{URL: "http://127.0.0.1:" + strconv.Itoa(port), process: p}
	waitFor(t, p, s.URL+"/api/health", func(r *http.Response) bool { return r.StatusCode == http.StatusOK })
	return s
}

// lines returns the log's lines that contain substr.
func (p *process) lines(t *testing.T, substr string) []string {
	t.Helper()
	f, err := os.Open(p.log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return out
}
