package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge/orders"
)

// refundsCmd lists the refund requests the bot settled at L1 and a person
// still has to carry out, or marks one done: warmline refunds [done ID
// --by NAME]. They are in Redis when the order backend is a file (with an
// HTTP backend they went to the shop's order service instead).
func refundsCmd(ctx context.Context, args []string, env environment, stdout io.Writer) error {
	usage := errors.New("usage: warmline refunds            list the refund requests to carry out\n" +
		"       warmline refunds done --by NAME ID   mark one done")
	var done string
	by := ""
	if len(args) > 0 {
		if args[0] != "done" {
			return usage
		}
		fs := flag.NewFlagSet("warmline refunds done", flag.ContinueOnError)
		fs.SetOutput(stdout)
		fs.StringVar(&by, "by", "", "who carried the refund out (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 || strings.TrimSpace(by) == "" {
			return usage
		}
		done = fs.Arg(0)
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	if cfg.Demo {
		return errors.New("refunds: no Redis configured (the demo's refund requests are in its own memory); run with the service's REDIS_URL or REDIS_ADDRS")
	}
	if cfg.OrdersURL != "" {
		fmt.Fprintln(stdout, "note: WARMLINE_ORDERS_URL is set, so new refund requests go to the order service, not here")
	}
	rc, err := openRedis(ctx, cfg, zap.NewNop())
	if err != nil {
		return err
	}
	defer rc.close()
	book := orders.NewRefundBook(rc.rdb, cfg.RedisPrefix, nil)
	if done != "" {
		r, err := book.MarkDone(ctx, done, strings.TrimSpace(by))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "refund %s (%s, NT$%d) done by %s at %s\n", r.ID, r.Number, r.Amount, r.DoneBy, r.DoneAt.In(taipei).Format("2006-01-02 15:04"))
		return nil
	}
	pending, err := book.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		fmt.Fprintln(stdout, "no refund requests to carry out")
		return nil
	}
	fmt.Fprintf(stdout, "%d refund requests to carry out (oldest first; times in Taipei):\n", len(pending))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tAMOUNT\tREQUESTED\tDUE BY\tLANG\tID")
	for _, r := range pending {
		due := "–"
		if !r.DueBy.IsZero() {
			due = r.DueBy.In(taipei).Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\tNT$%d\t%s\t%s\t%s\t%s\n", r.Number, r.Amount, r.RequestedAt.In(taipei).Format("2006-01-02 15:04"), due, r.Lang, r.ID)
	}
	return tw.Flush()
}
