//go:build !lambda.norpc

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fnguard/fnguard/auth/devissuer"
	"github.com/fnguard/fnguard/config"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/routes"
	"github.com/fnguard/fnguard/webapp"
)

// serve runs the local HTTP server until ctx is done, then shuts down
// gracefully.
func serve(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	mounts := map[string]http.Handler{}
	issuer := cfg.Issuer
	var devHandler http.Handler
	var dev *devissuer.Issuer
	var devRoutes *http.ServeMux
	if cfg.DevIssuer {
		var err error
		dev, err = newDevIssuer(cfg, port)
		if err == nil {
			err = dev.RegisterClient(devissuer.Client{ID: cfg.SPAClientID, RedirectURIs: webapp.RedirectURIs(port, cfg.CORSOrigins)})
		}
		if err != nil {
			ln.Close()
			return err
		}
		prefix := strings.TrimSuffix(config.DevIssuerPath, "/")
		devRoutes = http.NewServeMux()
		devRoutes.Handle("/", dev.Handler())
		devHandler = logger.Middleware(log)(http.StripPrefix(prefix, devRoutes))
		issuer = dev.URL
	}
	verifier, err := cfg.Verifier(issuer, log)
	if err != nil {
		ln.Close()
		return err
	}
	functions, err := functionMounts(log, verifier, getenv, cfg.DevIssuer)
	if err != nil {
		ln.Close()
		return err
	}
	maps.Copy(mounts, functions)
	tokens, netlify, err := mountLastStrategies(cfg, log, mounts)
	if err != nil {
		ln.Close()
		return err
	}
	// Development only: the page trades its access token there for the
	// nf_jwt cookie the proxy-level rules read (netlifyexchange.go).
	var netlifyTokenURL string
	if dev != nil && netlify != nil {
		devRoutes.Handle("/"+netlifyTokenPath, handleNetlifyToken(verifier, netlify.identity, dev.AllowsOrigin))
		netlifyTokenURL = dev.URL + netlifyTokenPath
	}
	// Last, so that the page lists every strategy mounted above.
	if spa, err := webapp.New(cfg, issuer, mounts, netlifyTokenURL); err != nil {
		log.Warn("single-page app not served", "reason", err.Error())
	} else {
		mounts["/"] = spa
	}
	opts := routerOptions(cfg, log, verifier, mounts)
	opts.Tokens = tokens
	handler, err := netlify.wrap(routes.New(opts))
	if err != nil {
		ln.Close()
		return err
	}
	if devHandler != nil {
		// The issuer stands in for Auth0, another site with its own CORS
		// rules (its token endpoint answers the app's origins, whatever the
		// API allows), so it stays outside the API's middleware.
		api := handler
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, config.DevIssuerPath) {
				devHandler.ServeHTTP(w, r)
				return
			}
			api.ServeHTTP(w, r)
		})
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	base := fmt.Sprintf("http://%s", net.JoinHostPort(displayHost(cfg.Host), strconv.Itoa(port)))
	if cfg.DevIssuer {
		printDevHelp(stdout, base, cfg, issuer)
	}
	// Last, so that whoever waits for this line knows the server is ready.
	fmt.Fprintf(stdout, "fnguard listening on %s (API under %s)\n", base, strings.Join(cfg.BasePaths, ", "))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stdout, "fnguard stopped")
	return nil
}

func newDevIssuer(cfg config.Config, port int) (*devissuer.Issuer, error) {
	key, err := devissuer.LoadOrCreateKey(cfg.DevKeyFile)
	if err != nil {
		return nil, err
	}
	return devissuer.New(config.IssuerURLFor(port), key, cfg.Audiences[0], cfg.RolesClaim), nil
}

func displayHost(host string) string {
	if host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1"
	}
	return host
}

func printDevHelp(w io.Writer, base string, cfg config.Config, issuer string) {
	api := base + cfg.BasePaths[0]
	portEnv := ""
	if cfg.Port != 8080 {
		portEnv = fmt.Sprintf("PORT=%d ", cfg.Port)
	}
	fmt.Fprintf(w, `
Development issuer at %s (no Auth0 account needed; never used in Lambda).
Open the app at %[4]s/ and sign in as a persona (free, paid or admin),
or get a token for one in another terminal:

  TOKEN=$(%[2]sgo run . token --role admin)
  curl -H "Authorization: Bearer $TOKEN" %[3]s/admin

Routes: %[3]s/health  %[3]s/public  %[3]s/me  %[3]s/paid  %[3]s/admin

`, issuer, portEnv, api, base)
}
