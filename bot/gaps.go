package bot

import (
	"context"
	"slices"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge/gaps"
)

// Gaps records what the bot could not settle, for the inbox's Knowledge
// gaps page (*gaps.Service, which masks personal data before storing).
type Gaps interface {
	Record(ctx context.Context, s gaps.Signal) error
}

// gap records one signal about question (the customer's words), if a
// recorder is configured; a failure is logged, the conversation goes on.
func (e *Engine) gap(ctx context.Context, t *turn, kind gaps.Kind, question, entry string, offered []string) {
	if e.cfg.Gaps == nil || question == "" {
		return
	}
	err := e.cfg.Gaps.Record(ctx, gaps.Signal{
		Kind: kind, UserID: t.ev.UserID, Question: question, Lang: matchLang(question, t.lang()),
		Entry: entry, Offered: slices.Clone(offered), At: t.now,
	})
	if err != nil {
		e.log.Warn("knowledge gap not recorded", zap.String("kind", string(kind)), zap.Error(err))
	}
}

// handoffAfterAnswer records a handoff that follows an FAQ answer: the
// question the customer asked and the entry that did not settle it.
func (e *Engine) handoffAfterAnswer(ctx context.Context, t *turn) {
	if t.answered != "" {
		e.gap(ctx, t, gaps.KindHandoff, t.asked, t.answered, nil)
	}
}
