package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// DefaultDebounce is how long Watch waits after the last file event before
// reloading: editors save in several steps (write a temp file, rename,
// chmod), and a reload in the middle would see a half-written KB.
const DefaultDebounce = 300 * time.Millisecond

// Store holds the knowledge base in use and replaces it when the files
// change. A broken edit never takes the bot down: Reload keeps serving the
// previous KB and reports what is wrong, naming file and entry.
type Store struct {
	log  *zap.Logger
	dir  string
	opts LoadOptions
	// Debounce overrides DefaultDebounce for Watch; set before Watch.
	Debounce time.Duration

	cur      atomic.Pointer[Base]
	reloadMu sync.Mutex // one reload at a time
}

// ErrNoDir is returned by Reload and Watch of a Store made without a
// directory (serving the embedded demo KB, say).
var ErrNoDir = errors.New("knowledge store has no directory to reload from")

// NewStore returns a Store serving initial (which may be nil until the
// first successful Reload) and reloading from dir with opts. dir may be ""
// for a KB that never reloads.
func NewStore(log *zap.Logger, dir string, initial *Base, opts LoadOptions) *Store {
	s := &Store{log: log, dir: dir, opts: opts, Debounce: DefaultDebounce}
	if initial != nil {
		s.cur.Store(initial)
	}
	return s
}

// OpenStore loads dir and returns a Store serving it.
func OpenStore(ctx context.Context, log *zap.Logger, dir string, opts LoadOptions) (*Store, error) {
	s := NewStore(log, dir, nil, opts)
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Current returns the knowledge base in use. Callers keep the returned
// *Base for the whole of one message, so a reload never changes the KB
// under a conversation turn.
func (s *Store) Current() *Base { return s.cur.Load() }

// Reload loads the directory again. On success the new KB replaces the old
// one; on failure the old one stays and the error (every problem, each
// naming file and entry) is logged and returned.
func (s *Store) Reload(ctx context.Context) error {
	if s.dir == "" {
		return ErrNoDir
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	start := time.Now()
	b, err := LoadWith(ctx, os.DirFS(s.dir), s.opts)
	if err != nil {
		err = fmt.Errorf("reload knowledge from %s: %w", s.dir, err)
		// File names and entry ids only: no customer data is involved.
		s.log.Error("knowledge reload failed, keeping the previous knowledge base",
			zap.String("dir", s.dir), zap.Int("problems", countJoined(err)), zap.Error(err))
		return err
	}
	s.cur.Store(b)
	s.log.Info("knowledge loaded", zap.String("dir", s.dir),
		zap.Int("entries", len(b.entries)), zap.Duration("took", time.Since(start)))
	return nil
}

func countJoined(err error) int {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return len(j.Unwrap())
	}
	return 1
}

// Watch reloads whenever a *.yaml / *.yml file under the directory changes,
// after Debounce of quiet. It returns when ctx is done (nil) or the watcher
// fails to start.
func (s *Store) Watch(ctx context.Context) error {
	if s.dir == "" {
		return ErrNoDir
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch knowledge: %w", err)
	}
	defer w.Close()
	if err := addTree(w, s.dir); err != nil {
		return fmt.Errorf("watch knowledge: %w", err)
	}
	debounce := s.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					_ = addTree(w, ev.Name) // a new sub-directory of entries
					timer.Reset(debounce)
					continue
				}
			}
			if relevant(ev.Name) {
				timer.Reset(debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("knowledge watcher error", zap.Error(err))
		case <-timer.C:
			_ = s.Reload(ctx) // logged inside; the old KB keeps serving
		}
	}
}

// relevant reports whether a file event can change the KB.
func relevant(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, ".") {
		return false
	}
	ext := filepath.Ext(base)
	return ext == ".yaml" || ext == ".yml"
}

func addTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}
