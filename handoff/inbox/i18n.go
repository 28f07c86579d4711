package inbox

import (
	"net/http"
	"slices"
	"strings"

	"github.com/warmline/warmline/locales"
)

// uiMessage reports whether message id belongs in the UI dictionary: every
// inbox_ message but the customer-facing reply templates, the CLI and
// start-up lines.
func uiMessage(id string) bool {
	if !strings.HasPrefix(id, "inbox_") {
		return false
	}
	if strings.HasPrefix(id, "inbox_canned_") {
		return strings.HasSuffix(id, "_label")
	}
	return !strings.HasPrefix(id, "inbox_cli_") && !strings.HasPrefix(id, "inbox_welcome_")
}

// dictionary renders the UI strings of lang. Messages keep {placeholders}
// the page fills in itself; ids ending in _n have plural forms and come as
// {"one": …, "other": …}.
func (in *Inbox) dictionary(lang string) map[string]any {
	ids := in.tr.IDs(lang)
	slices.Sort(ids)
	out := make(map[string]any, len(ids))
	for _, id := range ids {
		if !uiMessage(id) {
			continue
		}
		if strings.HasSuffix(id, "_n") {
			out[id] = map[string]string{"one": in.tr.N(lang, id, 1, nil), "other": in.tr.N(lang, id, 2, nil)}
			continue
		}
		out[id] = in.tr.T(lang, id, nil)
	}
	return out
}

// GET /inbox/i18n/{lang}.json: the UI dictionary (no session needed: the
// sign-in page uses it too).
func (in *Inbox) handleI18n(w http.ResponseWriter, r *http.Request) {
	lang, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok || !locales.IsSupported(lang) {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lang": lang, "messages": in.dictionary(lang)})
}
