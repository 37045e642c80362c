// Package web holds the single-page app. Its public/ folder is the app as
// Netlify publishes it; the local server serves the same files, embedded.
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
