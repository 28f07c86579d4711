// Package testfs copies a directory tree of test data into a temporary
// directory, so a test may change files (a KB it reloads) without touching
// the repository.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Copy copies the tree at src into a new temporary directory of tb and
// returns that directory.
func Copy(tb testing.TB, src string) string {
	tb.Helper()
	dir := tb.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatalf("copy %s: %v", src, err)
	}
	return dir
}
