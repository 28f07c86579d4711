package gaps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge"
)

// autoAccept approves entry for the group of question q once AutoAccept
// distinct customers picked it there; the group's questions become
// examples of entry, approved by Auto. A group and entry are accepted once
// (a lock key kept for the retention).
func (s *Service) autoAccept(ctx context.Context, q, lang, entry string) error {
	sigs, err := s.signals(ctx)
	if err != nil {
		return err
	}
	var conv *knowledge.Converter
	if b := s.store.Current(); b != nil {
		conv = b.Converter()
	}
	c := newCluster(conv)
	var mine *draft
	for _, sg := range sigs {
		d := c.add(sg)
		if sg.Kind == KindTap && sg.Entry == entry && sg.Question == q && sg.Lang == lang {
			mine = d
		}
	}
	if mine == nil {
		return nil
	}
	g := mine.group()
	agreed := 0
	for _, p := range g.Picked {
		if p.Entry == entry {
			agreed = p.Count
		}
	}
	if agreed < s.auto {
		return nil
	}
	h := sha256.Sum256([]byte(g.ID + "\x00" + entry))
	lock := s.key("auto:" + hex.EncodeToString(h[:8]))
	ok, err := s.rdb.SetNX(ctx, lock, "1", s.retention).Result()
	if err != nil || !ok {
		return err
	}
	// The questions customers asked when they picked entry, and the others
	// of the group.
	var qs []Question
	for _, sg := range mine.signals {
		if sg.Kind == KindTap && sg.Entry == entry {
			qs = append(qs, Question{Text: sg.Question, Lang: sg.Lang})
		}
	}
	it, err := s.approve(ctx, Approver{ID: Auto, Name: Auto}, Item{Entry: entry, Examples: examplesOf(qs), Customers: agreed}, g.Signals)
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			s.log.Warn("auto-accept refused by the knowledge base", zap.String("entry", entry), zap.Error(err))
			return nil
		}
		_ = s.rdb.Del(ctx, lock).Err()
		return fmt.Errorf("auto-accept: %w", err)
	}
	s.log.Info("menu taps auto-accepted", zap.String("entry", entry), zap.String("item", it.ID), zap.Int("customers", agreed))
	return nil
}
