package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/inbox"
)

// The scripted demo day (WARMLINE_DEMO_DAY, demo mode only): a few
// customers of the emulator talk to the bot through the real webhook path
// as the demo starts, and a demo agent works their handoffs through the
// handoff service, so a fresh demo's dashboard, alerts, search and history
// are not empty. Everything goes the way real traffic goes: signed webhook
// events, the queue, the engine, the case, the archive stream, the ledger.

// demoDayCustomers are the script's own customers (the chat page's three
// stay untouched).
var demoDayCustomers = []lineemu.Profile{
	{UserID: "U00000000000000000000000000d0001", DisplayName: "林佳蓉", Language: "zh-TW"},
	{UserID: "U00000000000000000000000000d0002", DisplayName: "Emily Chen", Language: "en"},
	{UserID: "U00000000000000000000000000d0003", DisplayName: "刘洋", Language: "zh-CN"},
	{UserID: "U00000000000000000000000000d0004", DisplayName: "張志豪", Language: "zh-TW"},
	{UserID: "U00000000000000000000000000d0005", DisplayName: "黃美華", Language: "zh-TW"},
	{UserID: "U00000000000000000000000000d0006", DisplayName: "吳建宏", Language: "zh-TW"},
}

// demoDayStep is one customer's part of the day.
type demoDayStep struct {
	user string
	text string
	// solved: tap the answer's "Solved". Otherwise the text hands off;
	// resolve (with disposition, then the customer's rating) or leave open.
	solved      bool
	resolve     bool
	reply       string
	disposition string
	rating      int
}

var demoDay = []demoDayStep{
	{user: demoDayCustomers[0].UserID, text: "運費怎麼算？", solved: true},
	{user: demoDayCustomers[1].UserID, text: "Do points expire?", solved: true},
	{user: demoDayCustomers[2].UserID, text: "运费多少钱", solved: true},
	{user: demoDayCustomers[3].UserID, text: "我要找真人客服，包裹一直沒到", resolve: true,
		reply: "張先生您好，已為您催促物流，包裹今天會送達。", disposition: "delivery_chased", rating: 5},
	{user: demoDayCustomers[4].UserID, text: "我要找真人客服，商品有瑕疵想退貨", resolve: true,
		reply: "黃小姐您好，已為您安排退貨，明天會有人收件。", disposition: "refund", rating: 2},
	{user: demoDayCustomers[5].UserID, text: "再不處理我就寄存證信函給你們"}, // P1, legal and PR informed, left open
}

// addDemoDayCustomers adds the script's customers to the emulator.
func addDemoDayCustomers(emu *lineemu.Emulator) {
	for _, p := range demoDayCustomers {
		emu.AddUser(p)
	}
}

// runDemoDay plays the script once; it gives up at the first step that
// does not go as written (and says so in the log).
func (a *app) runDemoDay(ctx context.Context) {
	agent := inbox.DemoAgents()[0].Agent() // mei, L2
	lead := inbox.DemoAgents()[3].Agent()  // boss
	for _, s := range demoDay {
		if err := a.playDemoStep(ctx, s, agent, lead); err != nil {
			if ctx.Err() == nil {
				a.log.Warn("demo day stopped", zap.Error(err))
			}
			return
		}
	}
	a.log.Info("demo day played", zap.Int("conversations", len(demoDay)))
}

func (a *app) playDemoStep(ctx context.Context, s demoDayStep, agent, lead handoff.Agent) error {
	before := len(a.emu.Messages(s.user))
	if err := demoSend(ctx, func() error { _, err := a.emu.SendText(ctx, s.user, s.text); return err }); err != nil {
		return fmt.Errorf("send %s: %w", s.user, err)
	}
	answer, err := a.demoWait(ctx, s.user, before)
	if err != nil {
		return err
	}
	if s.solved {
		data := ""
		for _, m := range answer {
			for _, act := range m.Actions {
				if data == "" && strings.HasPrefix(act.Data, "fb:yes:") {
					data = act.Data
				}
			}
		}
		if data == "" {
			return fmt.Errorf("%s: the answer has no Solved", s.user)
		}
		_, err := a.emu.SendPostback(ctx, s.user, data, "")
		return err
	}
	var c *handoff.Case
	if err := demoPoll(ctx, func() bool {
		c, err = a.cases.ActiveCase(ctx, s.user)
		return err == nil && c != nil
	}); err != nil {
		return fmt.Errorf("%s: no case: %w", s.user, err)
	}
	if !s.resolve {
		return nil
	}
	if c.Tier != handoff.TierL2 {
		agent = lead
	}
	if _, err := a.cases.Claim(ctx, agent, c.ID); err != nil {
		return err
	}
	if _, err := a.cases.Reply(ctx, agent, c.ID, s.reply); err != nil {
		return err
	}
	before = len(a.emu.Messages(s.user))
	if _, err := a.cases.ResolveAs(ctx, agent, c.ID, "", s.disposition); err != nil {
		return err
	}
	if _, err := a.demoWait(ctx, s.user, before); err != nil {
		return err
	}
	_, err = a.emu.SendPostback(ctx, s.user, handoff.CSATData(c.ID, s.rating), fmt.Sprint(s.rating))
	return err
}

// demoWait waits for the bot's answer to user after the before-th message.
func (a *app) demoWait(ctx context.Context, user string, before int) ([]lineemu.Delivered, error) {
	var got []lineemu.Delivered
	err := demoPoll(ctx, func() bool {
		got = a.emu.Messages(user)
		return len(got) > before
	})
	if err != nil {
		return nil, fmt.Errorf("%s: no answer: %w", user, err)
	}
	return got[before:], nil
}

// demoSend retries a webhook send while the server is still starting.
func demoSend(ctx context.Context, send func() error) error {
	var err error
	for range 50 {
		if err = send(); err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

// demoPoll checks cond every 50 ms for up to 15 s.
func demoPoll(ctx context.Context, cond func() bool) error {
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("not within 15s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}
