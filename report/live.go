package report

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// Live counts the conversations going on now, which the ledger does not
// hold yet: a conversation is counted when it ends. warmline's is the bot
// engine (bot.Engine.InProgress, after its idle sweep).
type Live interface {
	InProgress(ctx context.Context) (InProgress, error)
}

// InProgress is the bot conversations not counted yet: of them, SettledL1
// the bot has settled so far, Menu were last offered a menu, Open are an
// issue not settled; IdleAfter is how long without a message ends one.
type InProgress struct {
	Conversations int           `json:"conversations"`
	SettledL1     int           `json:"settled_l1"`
	Menu          int           `json:"menu"`
	Open          int           `json:"open"`
	IdleAfter     time.Duration `json:"idle_after_ns"`
	// FCRIfEnded is first-contact resolution if every one of them ended
	// now as it stands, with the period's counted conversations.
	FCRIfEnded Ratio `json:"fcr_if_ended"`
}

// live reads the conversations in progress for a report of a period that
// has not ended at now, without a filter (the count is of every
// conversation); nil when there is no Live, the period is over, a filter
// is set or the read fails (logged: the figures are still shown).
func (d *Dashboard) live(ctx context.Context, rep Report) *InProgress {
	if d.liveSrc == nil || !d.now().Before(rep.Period.To) || rep.Filter != (Filter{}) {
		return nil
	}
	ip, err := d.liveSrc.InProgress(ctx)
	if err != nil {
		d.log.Warn("dashboard: conversations in progress", zap.Error(err))
		return nil
	}
	ip.FCRIfEnded = ratio(rep.FirstContactResolution.Count+ip.SettledL1, rep.Conversations+ip.Conversations)
	return &ip
}
