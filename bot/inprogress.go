package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// InProgress counts the bot conversations going on now, which the case
// ledger (and so the lead's dashboard) does not count yet: a conversation
// is counted once it ends ("Solved", a thanks, a handoff, an unfollow, or
// ConversationIdle without a message and then the idle sweep). Handed-off
// conversations are not here: their case carries them.
type InProgress struct {
	Conversations int `json:"conversations"`
	SettledL1     int `json:"settled_l1"` // the bot has settled it so far (an answer, an order status, a refund within the limit)
	Menu          int `json:"menu"`       // the customer was last offered a menu of likely topics
	Open          int `json:"open"`       // an issue the bot has not settled
	// Idle of them are past ConversationIdle: the next idle sweep ends and counts them.
	Idle int `json:"idle"`
	// IdleAfter is ConversationIdle: how long without a message ends a conversation.
	IdleAfter time.Duration `json:"idle_after_ns"`
}

// inProgressBatch is how many users one round trip reads.
const inProgressBatch = 500

// InProgress reads the conversations in progress: every user in the idle
// set (everyone with an event in the last ConversationIdle, and those
// idle the sweep has not reached) whose state holds a conversation with
// something to count. It only reads; one ZRANGE and one pipelined HMGET
// per inProgressBatch users.
func (e *Engine) InProgress(ctx context.Context) (InProgress, error) {
	out := InProgress{IdleAfter: e.cfg.ConversationIdle}
	now := e.now().UnixMilli()
	for start := int64(0); ; start += inProgressBatch {
		zs, err := e.rdb.ZRangeWithScores(ctx, e.idleKey(), start, start+inProgressBatch-1).Result()
		if err != nil {
			return InProgress{}, fmt.Errorf("conversations in progress: %w", err)
		}
		if len(zs) == 0 {
			return out, nil
		}
		cmds := make([]*redis.SliceCmd, len(zs))
		if _, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, z := range zs {
				u, _ := z.Member.(string)
				cmds[i] = p.HMGet(ctx, e.key(u, "conv"), "conv_id", "conv_end")
			}
			return nil
		}); err != nil {
			return InProgress{}, fmt.Errorf("conversations in progress: %w", err)
		}
		for i, c := range cmds {
			v := c.Val()
			id, _ := v[0].(string)
			end, _ := v[1].(string)
			if id == "" || end == convNone {
				continue // nothing to count (a greeting), or already counted
			}
			out.Conversations++
			switch end {
			case convL1:
				out.SettledL1++
			case convMenu:
				out.Menu++
			default:
				out.Open++
			}
			if int64(zs[i].Score) <= now {
				out.Idle++
			}
		}
		if len(zs) < inProgressBatch {
			return out, nil
		}
	}
}
