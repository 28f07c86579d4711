package lineemu

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/warmline/warmline/internal/browsertest"
)

// TestChatPageSendsAFile: the photo button's file picker sends the chosen
// file as an image message whose content the blob API serves.
func TestChatPageSendsAFile(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	h := newHarness(t, Config{Clock: time.Now})
	mux := http.NewServeMux()
	mux.Handle("/emu/", http.StripPrefix("/emu", h.emu.Handler()))
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)

	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 16, 16)))
	file := filepath.Join(t.TempDir(), "damage.png")
	if err := os.WriteFile(file, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, browsertest.Lifetime(30*time.Second))
	b.Navigate(site.URL + "/emu/chat?user=" + alice + "&lang=zh-TW")
	b.Wait("chat page booted", `document.documentElement.dataset.ready === "true"`)
	b.Run("choose a file", chromedp.SetUploadFiles("#fileInput", []string{file}))
	b.Wait("photo row", `!!document.querySelector(".row.me .photo")`)
	var got webhook.ImageMessageContent
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.bot.mu.Lock()
		n := len(h.bot.got)
		h.bot.mu.Unlock()
		if n > 0 {
			if ev, ok := h.bot.last(t).cb.Events[0].(webhook.MessageEvent); ok {
				if im, ok := ev.Message.(webhook.ImageMessageContent); ok {
					got = im
					break
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no image event reached the bot")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ct, body, err := getContent(t, h, got.Id)
	if err != nil || ct != "image/png" || !bytes.Equal(body, img.Bytes()) {
		t.Fatalf("content of the uploaded photo: %q %d bytes %v", ct, len(body), err)
	}
	b.Shot("lineemu-chat-photo.png")
}
