// Package frontend embeds the designer's built web assets (frontend/dist)
// for the desktop app and `sluice serve`.
//
// A fresh clone has only dist/.gitkeep, so the embed always compiles; the
// servers then show a page saying how to build the frontend. Build it with
// `npm ci && npm run build` in this folder (scripts/test-frontend.sh does).
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built assets, rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	return sub
}

// Built reports whether the assets hold a built frontend.
func Built() bool {
	_, err := fs.Stat(Dist(), "index.html")
	return err == nil
}
