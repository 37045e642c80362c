// Command fnguard is the flagship of the guide: a chi router protected by
// Auth0 access tokens. Started by AWS Lambda it is that one function;
// started anywhere else it is a local server that also stands in for
// Netlify (every function, the role rules, the page and a development
// issuer: package netlifydev).
//
//	go run .                    local server with a development issuer
//	go run . token --role admin print a development token for a persona
//	go run . --help             the commands, the personas, the configuration
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/flagship"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/replay"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "fnguard: %v\n", err)
		os.Exit(1)
	}
}

// command is one of the commands besides serving: each parses its own
// flags and prints its usage on --help.
type command struct {
	name, summary string
	run           func(args []string, cfg config.Config, stdout io.Writer) error
}

// commands is every command, the one list usage and run read.
var commands = []command{
	{"token", "print a development access token for a persona (Authorization: Bearer)", runToken},
	{"netlify-token", "print a development Netlify Identity token for a persona (the nf_jwt cookie)", runNetlifyToken},
}

// The local server's log queue: at most 1 MiB (about 5,000 request lines)
// waits for the log pipe, for at most 10 ms.
const (
	logQueueBytes = 1 << 20
	logLinger     = 10 * time.Millisecond
)

// run reads the configuration and starts the mode it asks for. Everything
// it needs comes in as arguments, so tests drive it like a process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "help" || asksHelp(args[:1])) {
		usage(stdout)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil && !asksHelp(args) {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if len(args) > 0 {
		i := slices.IndexFunc(commands, func(c command) bool { return c.name == args[0] })
		if i < 0 {
			return fmt.Errorf("unknown command %q (want no command, \"token\" or \"netlify-token\"; see --help)", args[0])
		}
		if err := commands[i].run(args[1:], cfg, stdout); !errors.Is(err, flag.ErrHelp) {
			return err
		}
		return nil // the command printed its usage
	}
	out := stderr
	if !cfg.InLambda {
		// The server's lines leave in batches from a goroutine; serve
		// returns once the server has shut down, and Close then writes out
		// every line accepted before. Lambda stays synchronous: it may
		// freeze the process as soon as an invocation is answered.
		logs := logger.NewAsyncWriter(stderr, logQueueBytes, logLinger)
		defer logs.Close()
		out = logs
	}
	log := logger.New(out, cfg.LogFormat, cfg.LogLevel)
	// Libraries that print by themselves (aws-lambda-go's invocation
	// errors, net/http's server errors, the Redis client) log through log
	// too, in its format.
	logger.RouteStdLog(log)
	replay.RouteRedisLog(log)
	if cfg.InLambda {
		// The development issuer is never built on this path.
		return flagship.StartLambda(ctx, cfg, log)
	}
	return serve(ctx, cfg, getenv, log, stdout)
}

// asksHelp says whether a command's flags ask for its usage, which needs no
// configuration (a command parses its flags before it reads any).
func asksHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" })
}
