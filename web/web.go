// Package web is the single-page app: its public/ folder is the app as
// Netlify publishes it, and the package serves the same files, embedded,
// on the local server, with their configuration (/spa-config.json) and
// Content-Security-Policy. cmd/spaconfig writes both for Netlify, from the
// same code.
package web

import (
	"embed"
	"io/fs"
)

//go:embed public
var files embed.FS

// Files is the app's file tree, index.html at its root.
func Files() fs.FS {
	sub, err := fs.Sub(files, "public")
	if err != nil {
		// fs.Sub fails only on an invalid path; "public" is valid.
		panic(err)
	}
	return sub
}
