package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
)

// Handler serves files (index.html at "/") and c as /spa-config.json.
// Anything else is a 404: the app has no client-side routes, so there is
// no catch-all to index.html that could hide a mistyped API path.
func Handler(files fs.FS, c Config) (http.Handler, error) {
	cfgJSON, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode spa config: %w", err)
	}
	csp := c.CSP()
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
			// _headers, when Netlify's build step ran here, is for Netlify.
			if info, err := fs.Stat(files, p); err != nil || info.IsDir() || p == "_headers" {
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
