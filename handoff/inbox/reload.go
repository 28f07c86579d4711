package inbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// ReloadAgents reads the agents file again (LoadAccounts) and, when it is
// valid, replaces the accounts at once: a new agent signs in, a removed
// one's sessions and tokens stop, a changed role applies to the next
// request, without a restart. An invalid file changes nothing (the error
// says why).
func (in *Inbox) ReloadAgents(file string, demo bool) error {
	accs, err := LoadAccounts(file, demo)
	if err != nil {
		return fmt.Errorf("reload agents: %w", err)
	}
	in.accounts.Replace(accs)
	in.log.Info("agents reloaded", zap.Int("agents", accs.Len()))
	return nil
}

// WatchFile calls changed once the watch is set up (catching a change made
// before it), then each time the file at path is written, created or
// renamed into place (editors save by renaming), debounced (debounce <= 0:
// 200ms), until ctx is done. It watches the file's folder, so the file may
// be replaced.
func WatchFile(ctx context.Context, path string, debounce time.Duration, changed func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", path, err)
	}
	defer w.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("watch %s: %w", path, err)
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("watch %s: %w", path, err)
	}
	if debounce <= 0 {
		debounce = 200 * time.Millisecond
	}
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	changed()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Clean(ev.Name) == abs {
				timer.Reset(debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			return fmt.Errorf("watch %s: %w", path, err)
		case <-timer.C:
			if _, err := os.Stat(abs); err == nil {
				changed()
			}
		}
	}
}
