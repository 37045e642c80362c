// Command spaconfig writes the single-page app's configuration for Netlify,
// where no server of ours answers /spa-config.json, and its
// Content-Security-Policy as a _headers file. Netlify's build runs
//
//	go run ./web/cmd/spaconfig -o web/public/spa-config.json -headers web/public/_headers
//
// with the site's environment (AUTH0_DOMAIN, AUTH0_AUDIENCE,
// AUTH0_CLIENT_ID), so the published page is configured exactly as the
// local server configures it, by the same code.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/web"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "spaconfig: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("spaconfig", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: go run ./web/cmd/spaconfig [-o web/public/spa-config.json] [-headers web/public/_headers] [-functions netlify/functions]\n\nWrites the page's configuration and Content-Security-Policy for Netlify from AUTH0_DOMAIN (or AUTH_ISSUER_URL),\nAUTH0_AUDIENCE and AUTH0_CLIENT_ID.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "file to write (default: standard output)")
	functions := fs.String("functions", "netlify/functions", "folder holding one subfolder per deployed function")
	headers := fs.String("headers", "", "the _headers file to write with the page's Content-Security-Policy (default: none)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // fs printed its usage
	} else if err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if cfg.DevIssuer {
		return errors.New("set AUTH0_DOMAIN (or AUTH_ISSUER_URL), AUTH0_AUDIENCE and AUTH0_CLIENT_ID in the site's environment: the development issuer does not run on Netlify")
	}
	// A strategy is listed when its function is deployed, that is, when
	// Netlify builds a folder of that name.
	deployed := func(prefix string) bool {
		info, err := os.Stat(filepath.Join(*functions, path.Base(prefix)))
		return err == nil && info.IsDir()
	}
	sc, err := web.NewConfig(cfg, cfg.Issuer, deployed)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *headers != "" {
		if err := os.WriteFile(*headers, []byte(web.NetlifyHeaders(sc)), 0o644); err != nil {
			return err
		}
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}
