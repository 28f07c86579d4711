package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopy(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "a.yaml"), []byte("x: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := Copy(t, src)
	got, err := os.ReadFile(filepath.Join(dst, "sub", "a.yaml"))
	if err != nil || string(got) != "x: 1\n" {
		t.Fatalf("copied file: %q, %v; want \"x: 1\\n\"", got, err)
	}
	if dst == src {
		t.Fatal("Copy returned the source directory")
	}
}
