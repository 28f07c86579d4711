package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RefundRequest is a refund the bot settled at L1 (within the escalation
// rules' limit) and a person still has to carry out: the customer was told
// a colleague processes it within the shop's refund days.
type RefundRequest struct {
	// ID identifies the request; the same ID recorded twice (a redelivered
	// webhook event, a retried POST) is one request. Required.
	ID string `json:"id"`
	// Number is the canonical order number. Required.
	Number string `json:"number"`
	// Amount in NT$ the customer asked back, > 0.
	Amount int `json:"amount"`
	// LineUserID of the customer who asked: the order's owner (the bot
	// records a request only once the order's LINE account is theirs or
	// they typed the last 4 digits of its phone).
	LineUserID string `json:"line_user_id"`
	// Lang the customer writes in (en, zh-TW, zh-CN), for whoever calls back.
	Lang string `json:"lang,omitempty"`
	// RequestedAt is when the customer asked.
	RequestedAt time.Time `json:"requested_at"`
	// DueBy is the last day the customer was promised (RequestedAt plus
	// the shop's refund working days, roughly); zero when unknown.
	DueBy time.Time `json:"due_by,omitzero"`
	// DoneAt / DoneBy: when and by whom it was carried out (RefundBook only).
	DoneAt time.Time `json:"done_at,omitzero"`
	DoneBy string    `json:"done_by,omitempty"`
}

// RefundRecorder records refund requests where the people who carry them
// out see them. It is optional on a Backend: HTTPBackend posts them to the
// shop's order service; a backend that cannot record (FileBackend, the
// demo) is paired with a RefundBook. RecordRefund returns nil only once the
// request is stored durably; an error wrapping ErrUnavailable when the
// recorder cannot answer now, ErrNotFound when the order is unknown.
type RefundRecorder interface {
	RecordRefund(ctx context.Context, r RefundRequest) error
}

// ErrInvalidRefund is a refund request missing its id, order or amount.
var ErrInvalidRefund = errors.New("invalid refund request")

func validRefund(r RefundRequest) error {
	var errs []error
	if strings.TrimSpace(r.ID) == "" {
		errs = append(errs, errors.New("empty id"))
	}
	if strings.TrimSpace(r.Number) == "" {
		errs = append(errs, errors.New("empty order number"))
	}
	if r.Amount <= 0 {
		errs = append(errs, fmt.Errorf("amount %d", r.Amount))
	}
	if r.RequestedAt.IsZero() {
		errs = append(errs, errors.New("no requested_at"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRefund, err)
	}
	return nil
}

// RefundBook keeps refund requests in Redis for shops whose order backend
// cannot take them (a JSON file, the demo): durably (no expiry; Redis's
// own persistence), one record per request id, pending ones listed oldest
// first for the leads until one marks it done. Keys (one hash tag, so it
// works on Redis Cluster): {prefix}{refunds}:req:<id> (JSON RefundRequest),
// {prefix}{refunds}:pending (sorted set of ids by request time).
type RefundBook struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRefundBook returns a RefundBook on rdb under prefix; now is the clock
// (nil: time.Now).
func NewRefundBook(rdb redis.UniversalClient, prefix string, now func() time.Time) *RefundBook {
	if now == nil {
		now = time.Now
	}
	return &RefundBook{rdb: rdb, prefix: prefix, now: now}
}

func (b *RefundBook) reqKey(id string) string { return b.prefix + "{refunds}:req:" + id }
func (b *RefundBook) pendingKey() string      { return b.prefix + "{refunds}:pending" }

// recordScript stores a request once and lists it as pending only when it
// is new, so a redelivery of one marked done does not bring it back.
// KEYS: request key, pending set. ARGV: the request's JSON, its time
// (ms), its id.
var recordScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
end
return 1`)

// RecordRefund stores r and lists it as pending; recording the same id again
// changes nothing. Errors wrap ErrUnavailable when Redis cannot answer.
func (b *RefundBook) RecordRefund(ctx context.Context, r RefundRequest) error {
	r.Number = canonicalNumber(r.Number)
	if err := validRefund(r); err != nil {
		return fmt.Errorf("record refund on %s: %w", Mask(r.Number), err)
	}
	r.DoneAt, r.DoneBy = time.Time{}, ""
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("record refund on %s: %w", Mask(r.Number), err)
	}
	err = recordScript.Run(ctx, b.rdb, []string{b.reqKey(r.ID), b.pendingKey()}, data, r.RequestedAt.UnixMilli(), r.ID).Err()
	if errors.Is(err, redis.Nil) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("record refund on %s: %w: %w", Mask(r.Number), ErrUnavailable, err)
	}
	return nil
}

// Pending lists the refund requests no one has marked done, oldest first.
func (b *RefundBook) Pending(ctx context.Context) ([]RefundRequest, error) {
	ids, err := b.rdb.ZRange(ctx, b.pendingKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("pending refunds: %w", err)
	}
	out := make([]RefundRequest, 0, len(ids))
	for _, id := range ids {
		r, err := b.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // erased since (warmline forget)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Get returns one refund request (ErrNotFound when there is none).
func (b *RefundBook) Get(ctx context.Context, id string) (RefundRequest, error) {
	data, err := b.rdb.Get(ctx, b.reqKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return RefundRequest{}, fmt.Errorf("refund request %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return RefundRequest{}, fmt.Errorf("refund request %s: %w", id, err)
	}
	var r RefundRequest
	if err := json.Unmarshal(data, &r); err != nil {
		return RefundRequest{}, fmt.Errorf("refund request %s: %w", id, err)
	}
	return r, nil
}

// MarkDone records that by carried the refund out; it leaves the pending
// list. Marking an unknown id is ErrNotFound; marking it twice keeps the
// first.
func (b *RefundBook) MarkDone(ctx context.Context, id, by string) (RefundRequest, error) {
	var out RefundRequest
	err := b.rdb.Watch(ctx, func(tx *redis.Tx) error {
		data, err := tx.Get(ctx, b.reqKey(id)).Bytes()
		if errors.Is(err, redis.Nil) {
			return fmt.Errorf("refund request %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return err
		}
		if !out.DoneAt.IsZero() {
			return nil
		}
		out.DoneAt, out.DoneBy = b.now().UTC(), by
		data, err = json.Marshal(out)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, b.reqKey(id), data, redis.KeepTTL)
			p.ZRem(ctx, b.pendingKey(), id)
			return nil
		})
		return err
	}, b.reqKey(id))
	if err != nil {
		return RefundRequest{}, fmt.Errorf("mark refund %s done: %w", id, err)
	}
	return out, nil
}

// ForgetCustomer blanks userID from every refund request (PDPA erasure):
// the request stays for the shop to carry out, without the customer's LINE
// id. It returns how many requests named them; dry counts only.
func (b *RefundBook) ForgetCustomer(ctx context.Context, userID string, dry bool) (int, error) {
	var ids []string
	iter := b.rdb.Scan(ctx, 0, b.reqKey("*"), 500).Iterator()
	if c, ok := b.rdb.(*redis.ClusterClient); ok {
		// The keys share one hash tag, so one master holds them all.
		master, err := c.MasterForKey(ctx, b.pendingKey())
		if err != nil {
			return 0, fmt.Errorf("forget refunds: %w", err)
		}
		iter = master.Scan(ctx, 0, b.reqKey("*"), 500).Iterator()
	}
	for iter.Next(ctx) {
		ids = append(ids, strings.TrimPrefix(iter.Val(), b.reqKey("")))
	}
	if err := iter.Err(); err != nil {
		return 0, fmt.Errorf("forget refunds: %w", err)
	}
	n := 0
	for _, id := range ids {
		r, err := b.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("forget refunds: %w", err)
		}
		if r.LineUserID != userID {
			continue
		}
		n++
		if dry {
			continue
		}
		r.LineUserID = ""
		data, err := json.Marshal(r)
		if err != nil {
			return n, fmt.Errorf("forget refunds: %w", err)
		}
		if err := b.rdb.Set(ctx, b.reqKey(id), data, redis.KeepTTL).Err(); err != nil {
			return n, fmt.Errorf("forget refunds: %w", err)
		}
	}
	return n, nil
}

var _ RefundRecorder = (*RefundBook)(nil)
