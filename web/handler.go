package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

// Handler serves files (index.html at "/") and c as /spa-config.json.
// Anything else is a 404: the app has no client-side routes, so there is
// no catch-all to index.html that could hide a mistyped API path.
func Handler(files fs.FS, c Config) (http.Handler, error) {
	cfgJSON, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode spa config: %w", err)
	}
	// The same policy as netlify.toml's, with the issuer and the API
	// added to connect-src: the page runs no inline script and no script
	// from anywhere else, so an injection has nowhere to load code from.
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src " + strings.Join(append([]string{"'self'"}, c.origins()...), " ") + "; " +
		"frame-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	fileServer := http.FileServerFS(files)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /spa-config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(cfgJSON)
	})
	mux.HandleFunc("GET /{path...}", func(w http.ResponseWriter, r *http.Request) {
		if p := r.PathValue("path"); p != "" {
			// FileServer would list a directory; there is nothing to list.
			if info, err := fs.Stat(files, p); err != nil || info.IsDir() {
				http.NotFound(w, r)
				return
			}
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
	return mux, nil
}
