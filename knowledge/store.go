package knowledge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
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
	fsys fs.FS // os.DirFS(dir), or the files of NewStoreFS
	opts LoadOptions
	// Debounce overrides DefaultDebounce for Watch; set before Watch.
	Debounce time.Duration

	cur      atomic.Pointer[Base]
	status   atomic.Pointer[ReloadStatus]
	reloadMu sync.Mutex // one reload at a time; guards overlay and synced
	overlay  Overlay
	// synced are the overlay's files the KB in use was loaded with (nil
	// until the store loads one itself), for Sync.
	synced map[string][]byte
}

// Overlay supplies KB files kept outside the store's directory (package
// knowledge/gaps keeps the learned items in Redis, so replicas that share
// no filesystem serve the same KB). Files are by path; each replaces the
// directory's file of the same path.
type Overlay interface {
	Files(ctx context.Context) (map[string][]byte, error)
}

// ReloadStatus is the outcome of the last Reload or Sync (a Sync that
// found the KB current counts as a success): Err is nil after a success,
// else every problem (the previous KB kept serving).
type ReloadStatus struct {
	At  time.Time
	Err error
}

// ErrNoDir is returned by Reload and Watch of a Store made without a
// directory or files (serving a KB that never changes).
var ErrNoDir = errors.New("knowledge store has no directory to reload from")

// NewStore returns a Store serving initial (which may be nil until the
// first successful Reload) and reloading from dir with opts. dir may be ""
// for a KB that never reloads. initial must have been loaded from the same
// files with opts' Files and no overlay: Sync then loads again only when
// an overlay has files, or when opts has a semantic tier (initial has no
// index).
func NewStore(log *zap.Logger, dir string, initial *Base, opts LoadOptions) *Store {
	s := &Store{log: log, dir: dir, opts: opts, Debounce: DefaultDebounce}
	if dir != "" {
		s.fsys = os.DirFS(dir)
	}
	if initial != nil {
		s.cur.Store(initial)
		if opts.Semantic == nil {
			s.synced = map[string][]byte{}
		}
	}
	return s
}

// HasFile reports whether the store's files include name (a path in its
// directory or files), whatever the overlay says.
func (s *Store) HasFile(name string) bool {
	if s.fsys == nil {
		return false
	}
	_, err := fs.Stat(s.fsys, name)
	return err == nil
}

// NewStoreFS returns a Store serving initial and reloading from fsys (the
// embedded demo KB, say) with the overlay's files: the files never change,
// the overlay may. Watch is not available (ErrNoDir).
func NewStoreFS(log *zap.Logger, fsys fs.FS, initial *Base, opts LoadOptions) *Store {
	s := NewStore(log, "", initial, opts)
	s.fsys = fsys
	return s
}

// SetOverlay makes every later Reload load o's files with the directory's.
func (s *Store) SetOverlay(o Overlay) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.overlay = o
}

// Dir is the store's directory, "" when it has none.
func (s *Store) Dir() string { return s.dir }

// Status is the outcome of the last Reload (zero before the first).
func (s *Store) Status() ReloadStatus {
	if st := s.status.Load(); st != nil {
		return *st
	}
	return ReloadStatus{}
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
	if s.fsys == nil {
		return ErrNoDir
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	overlay, err := s.overlayFiles(ctx)
	if err != nil {
		s.status.Store(&ReloadStatus{At: time.Now(), Err: err})
		s.log.Error("knowledge reload failed, keeping the previous knowledge base", zap.String("dir", s.dir), zap.Error(err))
		return err
	}
	return s.reloadWith(ctx, overlay)
}

// Sync loads the KB as Reload does unless the KB in use was loaded by the
// store with the overlay's current files: the first call loads (with the
// semantic tier and the learned items), a later one only when the overlay
// changed. A service loads its KB once with Sync before serving, and
// calls it again when told the learned items changed.
func (s *Store) Sync(ctx context.Context) error {
	if s.fsys == nil {
		return ErrNoDir
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	overlay, err := s.overlayFiles(ctx)
	if err != nil {
		s.status.Store(&ReloadStatus{At: time.Now(), Err: err})
		s.log.Error("knowledge reload failed, keeping the previous knowledge base", zap.String("dir", s.dir), zap.Error(err))
		return err
	}
	if s.synced != nil && s.cur.Load() != nil && sameFiles(s.synced, overlay) {
		s.status.Store(&ReloadStatus{At: time.Now()}) // checked: current
		return nil
	}
	return s.reloadWith(ctx, overlay)
}

func sameFiles(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, func(x, y []byte) bool { return bytes.Equal(x, y) })
}

// overlayFiles are the overlay's files (empty without one); reloadMu held.
func (s *Store) overlayFiles(ctx context.Context) (map[string][]byte, error) {
	files := map[string][]byte{}
	if s.overlay == nil {
		return files, nil
	}
	o, err := s.overlay.Files(ctx)
	if err != nil {
		return nil, fmt.Errorf("reload knowledge: overlay: %w", err)
	}
	maps.Copy(files, o)
	return files, nil
}

// reloadWith loads the KB with the overlay's files and serves it;
// reloadMu held.
func (s *Store) reloadWith(ctx context.Context, overlay map[string][]byte) error {
	start := time.Now()
	b, err := s.loadFiles(ctx, overlay, nil, true)
	s.status.Store(&ReloadStatus{At: start, Err: err})
	if err != nil {
		// File names and entry ids only: no customer data is involved.
		s.log.Error("knowledge reload failed, keeping the previous knowledge base",
			zap.String("dir", s.dir), zap.Int("problems", countJoined(err)), zap.Error(err))
		return err
	}
	s.cur.Store(b)
	s.synced = overlay
	s.log.Info("knowledge loaded", zap.String("dir", s.dir),
		zap.Int("entries", len(b.entries)), zap.Duration("took", time.Since(start)))
	return nil
}

// Check loads the KB as Reload would, with files replacing the overlay's
// and the directory's files of the same path, and returns every problem;
// the KB in use does not change. For checking a change before making it.
func (s *Store) Check(ctx context.Context, files map[string][]byte) error {
	if s.fsys == nil {
		return ErrNoDir
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	_, err := s.loadWith(ctx, files, false)
	return err
}

// loadWith loads the files with the overlay's and then extra's, building
// the semantic index only when semantic is true (Check validates files; it
// needs no vectors); reloadMu held.
func (s *Store) loadWith(ctx context.Context, extra map[string][]byte, semantic bool) (*Base, error) {
	overlay, err := s.overlayFiles(ctx)
	if err != nil {
		return nil, err
	}
	return s.loadFiles(ctx, overlay, extra, semantic)
}

// loadFiles is loadWith with the overlay's files already read.
func (s *Store) loadFiles(ctx context.Context, overlay, extra map[string][]byte, semantic bool) (*Base, error) {
	opts := s.opts
	if !semantic {
		opts.Semantic = nil
	}
	if opts.Log == nil {
		opts.Log = s.log
	}
	opts.Files = map[string][]byte{}
	for name, data := range s.opts.Files {
		opts.Files[name] = data
	}
	for name, data := range overlay {
		opts.Files[name] = data
	}
	for name, data := range extra {
		opts.Files[name] = data
	}
	b, err := LoadWith(ctx, s.fsys, opts)
	if err != nil {
		where := s.dir
		if where == "" {
			where = "embedded files"
		}
		return nil, fmt.Errorf("reload knowledge from %s: %w", where, err)
	}
	return b, nil
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
