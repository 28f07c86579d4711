package inbox

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/media"
)

// MediaRoute is where MediaHandler serves a case's files; mount it next to
// Register's routes (it is more specific than /api/).
const MediaRoute = "GET /api/cases/{id}/media/{media}"

// MediaSource reads stored customer files (*media.Store).
type MediaSource interface {
	Get(ctx context.Context, userID, id string) (media.Item, []byte, error)
}

// mediaCSP lets a file opened on its own render and nothing run: no
// script, no plug-in, a sandboxed document.
const mediaCSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"

// MediaHandler serves GET /api/cases/{id}/media/{media}: a file the
// customer sent, to a signed-in agent (or API token) who may see the case
// (handoff.PermissionsFor), only when the case's transcript names that
// file. Images, video and audio are served inline, anything else as a
// download; the content type is the sniffed, allow-listed one, with
// nosniff and a sandboxing CSP. Someone else's case answers 403, an
// unknown or expired file 404.
func (in *Inbox) MediaHandler(src MediaSource) http.Handler {
	return securityHeaders(in.proxies, in.api.handle(func(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
		c, err := in.svc.Get(r.Context(), agent, r.PathValue("id"))
		if err != nil {
			return err
		}
		if !handoff.PermissionsFor(agent, c).See {
			return fmt.Errorf("media of %s: %w", c.ID, handoff.ErrForbidden)
		}
		id := r.PathValue("media")
		if !caseHasMedia(c, id) {
			return fmt.Errorf("media %s of %s: %w", id, c.ID, errNoMedia)
		}
		it, data, err := src.Get(r.Context(), c.UserID, id)
		if errors.Is(err, media.ErrNotFound) {
			return fmt.Errorf("media %s of %s: %w", id, c.ID, errNoMedia)
		}
		if err != nil {
			return err
		}
		if !media.Allowed(it.ContentType) {
			return fmt.Errorf("media %s of %s: type %s: %w", id, c.ID, it.ContentType, errNoMedia)
		}
		disposition := "attachment"
		if media.Inline(it.ContentType) {
			disposition = "inline"
		}
		name := it.Name
		if name == "" {
			name = id + extension(it.ContentType)
		}
		h := w.Header()
		h.Set("Content-Type", it.ContentType)
		h.Set("Content-Length", strconv.Itoa(len(data)))
		h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
		h.Set("Content-Security-Policy", mediaCSP)
		h.Set("Cache-Control", "private, no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data) // the agent went away; nothing to do
		return nil
	}))
}

// errNoMedia: the case names no such file, or it expired (404).
var errNoMedia = fmt.Errorf("%w: no such file", handoff.ErrNoCase)

// caseHasMedia reports whether a media turn of c names file id.
func caseHasMedia(c *handoff.Case, id string) bool {
	for _, tu := range c.Transcript {
		if tu.Media != nil && tu.Media.ID != "" && tu.Media.ID == id {
			return true
		}
	}
	return false
}

// extension is a file name extension for a download without a name.
func extension(contentType string) string {
	if exts, err := mime.ExtensionsByType(contentType); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ""
}
