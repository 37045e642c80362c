// Command coldstart measures how long the fnguard binary takes from exec to
// its first authenticated 200: process start, configuration, the
// development issuer, the listener, then GET /api/me with a valid token,
// which makes the server discover and fetch its issuer's JWKS (over
// loopback, from itself) and verify an RS256 signature. It prints every
// run and the median.
//
//	go build -o /tmp/fnguard . && go run ./bench/coldstart -bin /tmp/fnguard -runs 15
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
)

func main() {
	bin := flag.String("bin", "", "fnguard binary to start")
	runs := flag.Int("runs", 15, "number of cold starts")
	flag.Parse()
	if err := run(*bin, *runs); err != nil {
		fmt.Fprintf(os.Stderr, "coldstart: %v\n", err)
		os.Exit(1)
	}
}

type sample struct{ listening, authorized time.Duration }

func run(bin string, runs int) error {
	if bin == "" || runs < 1 {
		return errors.New("usage: coldstart -bin path/to/fnguard [-runs n]")
	}
	dir, err := os.MkdirTemp("", "fnguard-coldstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "dev-key.pem")
	key, err := devissuer.LoadOrCreateKey(keyFile)
	if err != nil {
		return err
	}
	persona, err := devissuer.LookupPersona("free")
	if err != nil {
		return err
	}
	var samples []sample
	for i := range runs {
		port, err := freePort()
		if err != nil {
			return err
		}
		// The token is minted before the clock starts: a client arrives
		// with one.
		iss := devissuer.New(config.IssuerURLFor(port), key, config.DevAudience, auth.DefaultRolesClaim)
		token, err := iss.Mint(persona, time.Hour)
		if err != nil {
			return err
		}
		s, err := once(bin, port, keyFile, token)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		fmt.Printf("run %2d: listening after %6.2f ms, first authenticated 200 after %6.2f ms\n",
			i+1, ms(s.listening), ms(s.authorized))
		samples = append(samples, s)
	}
	listening := median(samples, func(s sample) time.Duration { return s.listening })
	authorized := median(samples, func(s sample) time.Duration { return s.authorized })
	fmt.Printf("median of %d: listening %.2f ms, first authenticated 200 %.2f ms\n", runs, ms(listening), ms(authorized))
	return nil
}

func once(bin string, port int, keyFile, token string) (sample, error) {
	var s sample
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(cleanEnv(), "PORT="+strconv.Itoa(port), "DEV_ISSUER_KEY_FILE="+keyFile, "LOG_LEVEL=warn")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second // then it is killed
	out, err := cmd.StdoutPipe()
	if err != nil {
		return s, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return s, err
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "fnguard listening on ") {
			s.listening = time.Since(start)
			break
		}
	}
	if s.listening == 0 {
		return s, errors.New("the server never said it was listening")
	}
	go io.Copy(io.Discard, out) //nolint:errcheck // drains the pipe until the process ends
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/api/me", port), nil)
	if err != nil {
		return s, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return s, err
	}
	resp.Body.Close()
	s.authorized = time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET /api/me: status %d, want 200", resp.StatusCode)
	}
	return s, nil
}

// cleanEnv is this process's environment without anything that would
// point the server at a real issuer or change its port.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AUTH") || strings.HasPrefix(name, "AWS_") || name == "PORT" || name == "HOST" || name == "BASE_PATH" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func median(samples []sample, f func(sample) time.Duration) time.Duration {
	d := make([]time.Duration, len(samples))
	for i, s := range samples {
		d[i] = f(s)
	}
	slices.Sort(d)
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
