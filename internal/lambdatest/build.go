package lambdatest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// builds caches Build's work for the life of the test binary.
var builds struct {
	mu      sync.Mutex
	dir     string // shared by every build; Main removes it
	entries map[string]*buildEntry
}

type buildEntry struct {
	once   sync.Once
	path   string
	output []byte
	err    error
}

// Build compiles the main package pkg (an import path, or a path relative
// to the test's package directory) exactly as Netlify and the Makefile do:
//
//	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w'
//
// with tags added to lambda.norpc, and returns the binary's path. A package
// is built once per test binary, however many tests ask. The test is
// skipped on hosts that cannot run linux/amd64 binaries.
func Build(t testing.TB, pkg string, tags ...string) string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("lambdatest: functions are linux/amd64 binaries, and this host is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return build(t, pkg, []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"},
		"-tags", strings.Join(append([]string{"lambda.norpc"}, tags...), ","), "-trimpath", "-ldflags=-s -w")
}

// BuildLocal compiles the main package pkg for this machine without the
// Lambda tag, as `go run` would: the build that can also serve locally,
// which Build's -tags lambda.norpc compiles out of the flagship.
func BuildLocal(t testing.TB, pkg string) string {
	t.Helper()
	return build(t, pkg, nil, "-trimpath")
}

// build runs go build once per test binary for each package, environment
// and flags.
func build(t testing.TB, pkg string, env []string, flags ...string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("lambdatest: %v", err)
	}
	key := wd + "\x00" + pkg + "\x00" + strings.Join(env, ",") + "\x00" + strings.Join(flags, " ")

	builds.mu.Lock()
	if builds.dir == "" {
		if builds.dir, err = os.MkdirTemp("", "lambdatest-"); err != nil {
			builds.mu.Unlock()
			t.Fatalf("lambdatest: %v", err)
		}
	}
	if builds.entries == nil {
		builds.entries = map[string]*buildEntry{}
	}
	e, ok := builds.entries[key]
	if !ok {
		// Netlify deploys each function as a file named bootstrap.
		e = &buildEntry{path: filepath.Join(builds.dir, fmt.Sprint(len(builds.entries)), "bootstrap")}
		builds.entries[key] = e
	}
	builds.mu.Unlock()

	e.once.Do(func() {
		args := append(append([]string{"build"}, flags...), "-o", e.path, pkg)
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), env...)
		e.output, e.err = cmd.CombinedOutput()
	})
	if e.err != nil {
		t.Fatalf("lambdatest: go build %s: %v\n%s", pkg, e.err, e.output)
	}
	return e.path
}

// Main runs the tests, removes what Build made, and exits. Call it from
// TestMain in packages that use Build; without it the builds stay in the
// system's temporary directory.
func Main(m *testing.M) {
	code := m.Run()
	builds.mu.Lock()
	if builds.dir != "" {
		_ = os.RemoveAll(builds.dir)
	}
	builds.mu.Unlock()
	os.Exit(code)
}
