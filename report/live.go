package report

import (
	"context"
	"fmt"
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

// LiveTimeout bounds one read of the conversations in progress or of the
// open cases for a dashboard request: past it the page shows the figures
// read last (saying when) or says the count could not be read, and the
// ledger's figures are shown as ever.
const LiveTimeout = 2 * time.Second

// liveView is what the page shows of the conversations in progress.
type liveView struct {
	IP *InProgress // nil: nothing to show
	// Stale: this read failed; IP is the last one that worked, read at At.
	Stale bool
	At    time.Time
	// Failed: this read failed and there is no earlier one to show.
	Failed bool
}

// bounded runs fn with ctx bounded by LiveTimeout and returns when fn does
// or when the bound passes, whichever is first (a Redis client may not
// give up on a read when ctx ends; fn then finishes on its own).
func bounded[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, LiveTimeout)
	defer cancel() // after the select: a result and the bound never race
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("read within %s: %w", LiveTimeout, ctx.Err())
	}
}

// live reads the conversations in progress for a report of a period that
// has not ended at now, without a filter (the count is of every
// conversation); nothing when there is no Live, the period is over or a
// filter is set. A read that fails or takes longer than LiveTimeout is
// logged and the last figures read are shown, saying when.
func (d *Dashboard) live(ctx context.Context, rep Report) liveView {
	if d.liveSrc == nil || !d.now().Before(rep.Period.To) || rep.Filter != (Filter{}) {
		return liveView{}
	}
	ip, err := bounded(ctx, d.liveSrc.InProgress)
	d.lastMu.Lock()
	defer d.lastMu.Unlock()
	v := liveView{IP: &ip}
	if err != nil {
		d.log.Warn("dashboard: conversations in progress", zap.Error(err))
		if d.lastLive == nil {
			return liveView{Failed: true}
		}
		last := *d.lastLive
		v = liveView{IP: &last, Stale: true, At: d.lastLiveAt.In(d.loc)}
	} else {
		cp := ip
		d.lastLive, d.lastLiveAt = &cp, d.now()
	}
	v.IP.FCRIfEnded = ratio(rep.FirstContactResolution.Count+v.IP.SettledL1, rep.Conversations+v.IP.Conversations)
	return v
}

// open reads the open cases the report rep does not count yet; nil when
// there is no OpenCases source or the read fails (logged; failed is set).
func (d *Dashboard) open(ctx context.Context, rep Report) (of *OpenFigures, failed bool) {
	if d.openSrc == nil {
		return nil, false
	}
	cs, err := bounded(ctx, d.openSrc.OpenCases)
	if err != nil {
		d.log.Warn("dashboard: open cases", zap.Error(err))
		return nil, true
	}
	return openFigures(cs, rep, d.now()), false
}
