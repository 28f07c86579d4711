package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warmline/warmline/internal/testfs"
)

// copyFixture copies the fixture KB into a temporary directory.
func copyFixture(t *testing.T) string { return testfs.Copy(t, "testdata/fixtures/kb") }

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStoreReload(t *testing.T) {
	ctx := context.Background()
	dir := copyFixture(t)
	core, logs := observer.New(zap.InfoLevel)
	s, err := OpenStore(ctx, zap.New(core), dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := s.Current()
	if _, ok := first.Entry("shipping-fee"); !ok {
		t.Fatal("initial KB lacks shipping-fee")
	}
	shop := filepath.Join(dir, "shop.yaml")
	good, _ := os.ReadFile(shop)

	// Break one entry: the old KB keeps serving and the error names file and entry.
	writeFile(t, shop, strings.Replace(string(good), "category: consultation", "category: gossip", 1))
	err = s.Reload(ctx)
	if err == nil {
		t.Fatal("reload of a broken KB: got nil error")
	}
	for _, want := range []string{"shop.yaml", `entry "shipping-fee"`, `unknown category "gossip"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("reload error %q does not name %q", err, want)
		}
	}
	if s.Current() != first {
		t.Error("a failed reload replaced the knowledge base")
	}
	if logs.FilterMessageSnippet("reload failed").Len() != 1 {
		t.Errorf("want one reload-failed log, got %v", logs.All())
	}

	// Fix it, with a new entry: the new KB is served.
	writeFile(t, shop, string(good)+entryYAML("gift-wrap"))
	if err := s.Reload(ctx); err != nil {
		t.Fatalf("reload of the fixed KB: %v", err)
	}
	if s.Current() == first {
		t.Fatal("a successful reload kept the old knowledge base")
	}
	if _, ok := s.Current().Entry("gift-wrap"); !ok {
		t.Error("the reloaded KB lacks the new entry")
	}
}

func TestStoreWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := copyFixture(t)
	core, logs := observer.New(zap.InfoLevel)
	s, err := OpenStore(ctx, zap.New(core), dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Debounce = 20 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx) }()

	// waitFor polls: fsnotify delivers real file events, there is no clock to inject.
	waitFor := func(what string, cond func(*Base) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(s.Current()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// The watcher may not be registered the instant Watch starts: keep
	// touching the new file until the reload shows up.
	extra := filepath.Join(dir, "more", "extra.yaml")
	deadline := time.Now().Add(5 * time.Second)
	for {
		writeFile(t, extra, "entries:"+entryYAML("gift-wrap"))
		if _, ok := s.Current().Entry("gift-wrap"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the watcher to load a new file")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A half-written file must not take the KB down.
	writeFile(t, extra, "entries:\n  - id: gift-wrap\n    title: [")
	deadline = time.Now().Add(5 * time.Second)
	for logs.FilterMessageSnippet("reload failed").Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the reload of the broken file")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := s.Current().Entry("gift-wrap"); !ok {
		t.Fatal("after a broken edit the served KB lost its entries")
	}
	writeFile(t, extra, "entries:"+entryYAML("gift-card"))
	waitFor("the fixed file", func(b *Base) bool { _, ok := b.Entry("gift-card"); return ok })

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch returned %v", err)
	}
}

func TestStoreWithoutDir(t *testing.T) {
	b := loadFixture(t)
	s := NewStore(zap.NewNop(), "", b, LoadOptions{})
	if err := s.Reload(context.Background()); !errors.Is(err, ErrNoDir) {
		t.Errorf("Reload: got %v, want ErrNoDir", err)
	}
	if err := s.Watch(context.Background()); !errors.Is(err, ErrNoDir) {
		t.Errorf("Watch: got %v, want ErrNoDir", err)
	}
	if s.Current() != b {
		t.Error("Current is not the initial KB")
	}
}

// countingOverlay serves files and counts how often the store asked.
type countingOverlay struct {
	files map[string][]byte
	calls int
}

func (o *countingOverlay) Files(context.Context) (map[string][]byte, error) {
	o.calls++
	return o.files, nil
}

// TestStoreSync: the first Sync loads with the overlay's files, a second
// one with the same files serves the same KB without loading, and one
// after the overlay changed loads again.
func TestStoreSync(t *testing.T) {
	ctx := context.Background()
	dir := copyFixture(t)
	core, logs := observer.New(zap.InfoLevel)
	s := NewStore(zap.New(core), dir, nil, LoadOptions{})
	o := &countingOverlay{files: map[string][]byte{"learned.yaml": []byte("entries:" + entryYAML("gift-wrap"))}}
	s.SetOverlay(o)
	loads := func() int { return logs.FilterMessage("knowledge loaded").Len() }

	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	first := s.Current()
	if first == nil || loads() != 1 {
		t.Fatalf("first Sync: KB %v, %d loads; want a KB from one load", first, loads())
	}
	if _, ok := first.Entry("gift-wrap"); !ok {
		t.Fatal("the KB lacks the overlay's entry")
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Current() != first || loads() != 1 || o.calls != 2 {
		t.Errorf("Sync with unchanged overlay: same KB %v, %d loads, %d overlay reads; want the same KB, 1 load, 2 reads",
			s.Current() == first, loads(), o.calls)
	}
	o.files = map[string][]byte{"learned.yaml": []byte("entries:" + entryYAML("gift-card"))}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Current().Entry("gift-card"); !ok || loads() != 2 {
		t.Errorf("Sync after the overlay changed: new entry %v, %d loads; want it, 2 loads", ok, loads())
	}
}

// TestStoreSyncInitial: a store made with a KB loaded from its files
// serves it and Sync loads nothing while the overlay has no files.
func TestStoreSyncInitial(t *testing.T) {
	ctx := context.Background()
	dir := copyFixture(t)
	initial, err := Load(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.InfoLevel)
	s := NewStore(zap.New(core), dir, initial, LoadOptions{})
	o := &countingOverlay{files: map[string][]byte{}}
	s.SetOverlay(o)
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Current() != initial || logs.FilterMessage("knowledge loaded").Len() != 0 {
		t.Errorf("Sync with an empty overlay replaced the initial KB (%d loads)", logs.FilterMessage("knowledge loaded").Len())
	}
	o.files = map[string][]byte{"learned.yaml": []byte("entries:" + entryYAML("gift-wrap"))}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Current().Entry("gift-wrap"); !ok {
		t.Error("Sync after the overlay got a file did not load it")
	}
}
