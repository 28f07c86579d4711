package line

import "sync/atomic"

// SenderStats counts what this process's Sender did since it started; a
// metrics exporter reads them with Sender.Stats. Counts are per process
// (each replica its own), never reset.
type SenderStats struct {
	// Replies is reply calls LINE accepted (free messages).
	Replies int64
	// Pushes is push calls LINE accepted (counted against the quota).
	Pushes int64
	// PushesDeduped is pushes LINE answered 409: the same retry key was
	// accepted before (a resumed send), nothing delivered twice.
	PushesDeduped int64
	// ReplyFallbacks is reply tokens refused with nothing uncertain before
	// (expired, missing): the answer went by push.
	ReplyFallbacks int64
	// SpentAfterAttempt is "Invalid reply token" after an attempt recorded
	// in the reply window or an uncertain attempt of the same call: counted
	// delivered, not pushed.
	SpentAfterAttempt int64
	// Skipped is parts not sent because their delivery record says LINE
	// already took them.
	Skipped int64
	// Failed is sends that failed for good (recorded in FailedSends).
	Failed int64
	// Interrupted is sends cut short by shutdown or a deadline; they are
	// resumed from their delivery record.
	Interrupted int64
}

type senderCounters struct {
	replies, pushes, pushesDeduped, replyFallbacks, spentAfterAttempt, skipped, failed, interrupted atomic.Int64
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() SenderStats {
	c := &s.stats
	return SenderStats{
		Replies: c.replies.Load(), Pushes: c.pushes.Load(), PushesDeduped: c.pushesDeduped.Load(),
		ReplyFallbacks: c.replyFallbacks.Load(), SpentAfterAttempt: c.spentAfterAttempt.Load(),
		Skipped: c.skipped.Load(), Failed: c.failed.Load(), Interrupted: c.interrupted.Load(),
	}
}
