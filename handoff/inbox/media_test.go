package inbox

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/media"
)

// TestMediaServedToAgentsWhoMaySeeTheCase: a case's photo is served to a
// signed-in agent who may see the case, with its sniffed type, inline,
// nosniff and a sandboxing CSP; not to the public, not to an agent who may
// not see the case, and not for a file the case does not name.
func TestMediaServedToAgentsWhoMaySeeTheCase(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	store := media.New(rdb, prefix, media.Config{})
	mux := http.NewServeMux()
	mux.Handle(MediaRoute, e.in.MediaHandler(store))
	e.in.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	c2 := e.open(t, "U1", "東西破了", humanT)
	c3 := e.open(t, "U3", "我要找律師", legalT)
	put := func(user, caseID, msg string, data []byte, name string) string {
		it, err := store.Put(ctx, user, msg, "image", data, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AppendCustomerTurn(ctx, caseID, handoff.Turn{Kind: handoff.TurnMedia,
			Media: &handoff.Media{Type: handoff.MediaImage, ID: it.ID, ContentType: it.ContentType, Size: it.Size, Name: name}}); err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	p2 := put("U1", c2.ID, "m1", img.Bytes(), "")
	p3 := put("U3", c3.ID, "m2", img.Bytes(), "")
	pdf, err := store.Put(ctx, "U1", "m3", "file", []byte("%PDF-1.4\n"), `receipt "1".pdf`)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AppendCustomerTurn(ctx, c2.ID, handoff.Turn{Kind: handoff.TurnMedia,
		Media: &handoff.Media{Type: handoff.MediaFile, ID: pdf.ID, Name: pdf.Name}}); err != nil {
		t.Fatal(err)
	}
	unnamed, _ := store.Put(ctx, "U1", "m4", "image", img.Bytes(), "")

	get := func(c *agentClient, path string) *http.Response {
		t.Helper()
		hc := http.DefaultClient
		if c != nil {
			hc = c.hc
		}
		res, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	mei := e.signedIn(t, "mei")
	mei.base = srv.URL
	// The session cookie is for the uiEnv server's host; same host here.
	res := get(mei, "/api/cases/"+c2.ID+"/media/"+p2)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !bytes.Equal(body, img.Bytes()) {
		t.Fatalf("agent's photo: %d, %d bytes", res.StatusCode, len(body))
	}
	for k, want := range map[string]string{
		"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": mediaCSP, "Content-Disposition": `inline; filename=` + p2 + `.png`,
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	res = get(mei, "/api/cases/"+c2.ID+"/media/"+pdf.ID)
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || !strings.HasPrefix(cd, "attachment;") || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("pdf: %d %q %q, want an application/pdf attachment", res.StatusCode, cd, res.Header.Get("Content-Type"))
	}
	tests := []struct {
		name   string
		client *agentClient
		path   string
		want   int
	}{
		{"the public", nil, "/api/cases/" + c2.ID + "/media/" + p2, http.StatusUnauthorized},
		{"an L2 agent on an L3 case", mei, "/api/cases/" + c3.ID + "/media/" + p3, http.StatusForbidden},
		{"another case's file", mei, "/api/cases/" + c2.ID + "/media/" + p3, http.StatusNotFound},
		{"a file no case names", mei, "/api/cases/" + c2.ID + "/media/" + unnamed.ID, http.StatusNotFound},
		{"a bad id", mei, "/api/cases/" + c2.ID + "/media/..%2F..%2Fconv", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := get(tt.client, tt.path); res.StatusCode != tt.want {
				t.Errorf("got %d, want %d", res.StatusCode, tt.want)
			}
		})
	}
	lee := e.signedIn(t, "lee")
	if res := get(lee, "/api/cases/"+c3.ID+"/media/"+p3); res.StatusCode != 200 {
		t.Errorf("L3 on the L3 case: got %d, want 200", res.StatusCode)
	}
}
