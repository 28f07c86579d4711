package knowledge

import (
	"embed"
	"io/fs"
)

//go:embed demo
var demoFS embed.FS

// Demo returns the embedded demo knowledge base of the fictional shop.
func Demo() fs.FS {
	sub, err := fs.Sub(demoFS, "demo")
	if err != nil {
		panic(err) // "demo" is a valid path and embedded at build time
	}
	return sub
}
