package lineemu

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// Each delivered message says which event's reply token or which retry key
// brought it and which call it came in; DeliveriesTo counts accepted calls
// per user, a reused token and a repeated retry key not among them.
func TestDeliveriesAreAttributed(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	ev, err := h.emu.SendText(ctx, alice, "hi")
	if err != nil {
		t.Fatal(err)
	}
	reply := func() (*http.Response, error) {
		res, _, err := h.client(t, testToken).ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
			ReplyToken: ev.ReplyToken, Messages: []messaging_api.MessageInterface{textMessage("a"), textMessage("b")},
		})
		return res, err
	}
	if _, err := reply(); err != nil {
		t.Fatalf("reply: %v", err)
	}
	if res, err := reply(); err == nil || res.StatusCode != http.StatusBadRequest {
		t.Fatalf("reused token: got %v, want 400", err)
	}
	key := uuid.NewString()
	for range 2 {
		_, _, _ = h.client(t, testToken).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
			To: alice, Messages: []messaging_api.MessageInterface{textMessage("c")},
		}, key)
	}
	got := h.emu.Messages(alice)
	if len(got) != 3 {
		t.Fatalf("got %d messages, want 3", len(got))
	}
	for i, want := range []struct {
		via, event, key string
		call            int
	}{{"reply", ev.WebhookEventID, "", 1}, {"reply", ev.WebhookEventID, "", 1}, {"push", "", key, 2}} {
		if d := got[i]; d.Via != want.via || d.EventID != want.event || d.RetryKey != want.key || d.Call != want.call {
			t.Errorf("message %d: got via %s event %q key %q call %d, want %+v", i, d.Via, d.EventID, d.RetryKey, d.Call, want)
		}
	}
	if got, want := h.emu.DeliveriesTo(alice), (Deliveries{Replies: 1, Pushes: 1}); got != want {
		t.Errorf("deliveries: got %+v, want %+v", got, want)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if n, err := h.emu.WaitSends(wctx, 2); err != nil || n != 2 || h.emu.Sends() != 2 {
		t.Errorf("sends: got %d, %v, want 2", n, err)
	}
	h.emu.Reset()
	if got := h.emu.DeliveriesTo(alice); got != (Deliveries{}) {
		t.Errorf("after Reset: got %+v, want none", got)
	}
}

// Slow delivers at once and answers late; a caller that gives up still got
// its messages delivered (what makes a crash after LINE accepted possible).
func TestSlowAnswersAfterAccepting(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	h.emu.Slow("/v2/bot/message/reply", time.Hour)
	ev, err := h.emu.SendText(ctx, alice, "hi")
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, _, err := h.client(t, testToken).WithContext(cctx).ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
			ReplyToken: ev.ReplyToken, Messages: []messaging_api.MessageInterface{textMessage("slow")},
		})
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if _, err := h.emu.WaitMessages(wctx, alice, 1); err != nil {
		t.Fatalf("the slow reply was not delivered before its answer: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("reply answered before the delay: %v", err)
	default:
	}
	cancel() // the caller gives up (a timeout, a crash)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("caller: got %v, want context.Canceled", err)
	}
	h.emu.Slow("/v2/bot/message/reply", 0)
	ev2, err := h.emu.SendText(ctx, alice, "again")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.client(t, testToken).ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
		ReplyToken: ev2.ReplyToken, Messages: []messaging_api.MessageInterface{textMessage("fast")},
	}); err != nil {
		t.Fatalf("reply after Slow(0): %v", err)
	}
	if got := h.emu.DeliveriesTo(alice); got.Replies != 2 {
		t.Errorf("replies: got %d, want 2", got.Replies)
	}
}
