package lineemu

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

func getContent(t *testing.T, h *harness, id string) (string, []byte, error) {
	t.Helper()
	blob, err := messaging_api.NewMessagingApiBlobAPI(testToken, messaging_api.WithBlobEndpoint(h.api.URL))
	if err != nil {
		t.Fatal(err)
	}
	res, err := blob.GetMessageContent(id)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.Header.Get("Content-Type"), b, nil
}

// A file the page uploads becomes a LINE file message whose content the
// blob API serves; an unknown id is 404.
func TestUploadedMediaIsServed(t *testing.T) {
	h := newHarness(t, Config{})
	pdf := []byte("%PDF-1.7\nreceipt")
	var resp struct {
		Status    int    `json:"status"`
		MessageID string `json:"messageId"`
	}
	req := uploadRequest{UserID: alice, Name: "receipt.pdf", ContentType: "application/pdf", Data: pdf}
	if st := pagePost(t, h, "api/upload", req, &resp); st != http.StatusOK || resp.MessageID == "" {
		t.Fatalf("upload: got %d %+v", st, resp)
	}
	ev, ok := h.bot.last(t).cb.Events[0].(webhook.MessageEvent)
	if !ok {
		t.Fatalf("got %#v, want a message event", h.bot.last(t).cb.Events[0])
	}
	fm, ok := ev.Message.(webhook.FileMessageContent)
	if !ok || fm.FileName != "receipt.pdf" || fm.FileSize != int32(len(pdf)) || fm.Id != resp.MessageID {
		t.Fatalf("got %#v, want a file message of receipt.pdf", ev.Message)
	}
	ct, body, err := getContent(t, h, resp.MessageID)
	if err != nil || ct != "application/pdf" || string(body) != string(pdf) {
		t.Fatalf("content: %q %q %v, want the pdf", ct, body, err)
	}
	if _, _, err := getContent(t, h, "999999"); err != nil {
		// Numeric ids without content get the placeholder PNG (ImageEvent).
		t.Fatalf("placeholder: %v", err)
	}
	if _, _, err := getContent(t, h, "not-a-number"); err == nil {
		t.Fatal("unknown id served, want 404")
	}

	img, err := h.emu.SendMedia(context.Background(), alice, "image", "", "image/jpeg", []byte("\xff\xd8\xff\xe0jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	if im, ok := h.bot.last(t).cb.Events[0].(webhook.MessageEvent).Message.(webhook.ImageMessageContent); !ok || im.Id != img.MessageID {
		t.Fatalf("got %#v, want an image message", h.bot.last(t).cb.Events[0])
	}
	if ct, _, err := getContent(t, h, img.MessageID); err != nil || ct != "image/jpeg" {
		t.Fatalf("image content: %q %v", ct, err)
	}
	blob, _ := messaging_api.NewMessagingApiBlobAPI(testToken, messaging_api.WithBlobEndpoint(h.api.URL))
	vid, err := h.emu.SendMedia(context.Background(), alice, "video", "", "video/mp4", []byte("\x00\x00\x00\x18ftypmp42"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := blob.GetMessageContentTranscodingByMessageId(vid.MessageID); err != nil || st.Status != messaging_api.GetMessageContentTranscodingResponseSTATUS_SUCCEEDED {
		t.Errorf("video transcoding: %+v %v, want succeeded", st, err)
	}
	if _, err := blob.GetMessageContentTranscodingByMessageId(img.MessageID); err == nil {
		t.Error("transcoding status of an image, want 404")
	}
}

func TestPageSendsChosenSticker(t *testing.T) {
	h := newHarness(t, Config{})
	req := pageRequest{UserID: alice, PackageID: "11537", StickerID: "52002734", Keywords: []string{"Thanks"}}
	if st := pagePost(t, h, "api/sticker", req, nil); st != http.StatusOK {
		t.Fatalf("got %d", st)
	}
	sm, ok := h.bot.last(t).cb.Events[0].(webhook.MessageEvent).Message.(webhook.StickerMessageContent)
	if !ok || sm.StickerId != "52002734" || sm.PackageId != "11537" || len(sm.Keywords) != 1 {
		t.Fatalf("got %#v, want the chosen sticker", h.bot.last(t).cb.Events[0])
	}
}
