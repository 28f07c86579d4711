package gaps

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"
)

// changed tells every replica that the learned items changed, and reloads
// this one's KB at once.
func (s *Service) changed(ctx context.Context) {
	if err := s.rdb.Publish(ctx, s.key("reload"), s.instance).Err(); err != nil {
		s.log.Warn("learned items changed; reload message not sent", zap.Error(err))
	}
	s.sync(ctx)
}

// sync writes learned.yaml where the KB directory is writable and reloads
// the KB when the learned items differ from those it was loaded with (the
// store reads the items from Redis through Files; Store.Sync). Both log
// their own failures; the previous KB keeps serving.
func (s *Service) sync(ctx context.Context) {
	if dir := s.store.Dir(); dir != "" {
		if err := s.writeFile(ctx, dir); err != nil {
			s.log.Warn("learned.yaml not written (the items are in Redis)", zap.String("dir", dir), zap.Error(err))
		}
	}
	_ = s.store.Sync(ctx)
}

// writeFile replaces dir/learned.yaml with the learned items, atomically,
// unless it already holds them. With no items there is no file: a file
// warmline wrote earlier (it starts with the header) is removed.
func (s *Service) writeFile(ctx context.Context, dir string) error {
	items, err := s.Items(ctx)
	if err != nil {
		return err
	}
	data, err := render(items)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, FileName)
	old, readErr := os.ReadFile(path)
	ours := readErr == nil && bytes.HasPrefix(old, []byte("# "+fileHeader[:strings.Index(fileHeader, "\n")]))
	if readErr == nil && !ours {
		// Someone else's file of that name: never overwritten, and not
		// loaded either (the approvals in Redis take its place).
		return fmt.Errorf("%s was not written by warmline: it is left alone and not loaded; rename it to keep it in the KB", path)
	}
	if len(items) == 0 {
		if ours {
			return os.Remove(path)
		}
		return nil
	}
	if readErr == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp, err := os.CreateTemp(dir, "."+FileName+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Run keeps this replica's KB in step with the learned items: once
// subscribed it catches up on what changed while it was away (no reload
// when nothing did: a service loads its KB with Store.Sync before it
// serves), and it reloads on every reload message another replica sends.
// It returns when ctx is done.
func (s *Service) Run(ctx context.Context) error {
	for {
		s.listen(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second): // Redis went away: subscribe again
		}
	}
}

func (s *Service) listen(ctx context.Context) {
	sub := s.rdb.Subscribe(ctx, s.key("reload"))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("learned items: subscribe failed", zap.Error(err))
		}
		return
	}
	s.sync(ctx)
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			if m.Payload != s.instance {
				s.sync(ctx)
			}
		}
	}
}
