package inbox

import (
	"cmp"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/knowledge/gaps"
)

// The Knowledge gaps page and its API, for leads (agents get 403):
//
//	GET    /inbox/gaps                 the page
//	GET    /api/gaps                   {groups, entries, items, auto_accept, kb}
//	POST   /api/gaps/examples          {entry, questions, signals}: add the questions to an entry
//	POST   /api/gaps/entries           {id, category, title, answer, questions, signals}: a new entry
//	POST   /api/gaps/dismiss           {signals}: not a KB question
//	DELETE /api/gaps/learned/{id}      remove a learned item
//
// Mounted only when Config.Gaps is set.
func (in *Inbox) gapRoutes(mux *http.ServeMux) {
	if in.gaps == nil {
		return
	}
	mux.Handle("GET /inbox/gaps", in.page(gapsPage, true))
	mux.Handle("GET /api/gaps", in.api.handle(in.leadOnly(in.gapsView)))
	mux.Handle("POST /api/gaps/examples", in.api.handle(in.leadOnly(in.gapsExamples)))
	mux.Handle("POST /api/gaps/entries", in.api.handle(in.leadOnly(in.gapsEntry)))
	mux.Handle("POST /api/gaps/dismiss", in.api.handle(in.leadOnly(in.gapsDismiss)))
	mux.Handle("DELETE /api/gaps/learned/{id}", in.api.handle(in.leadOnly(in.gapsRemove)))
}

// mayEditKnowledge: who may teach the KB from the gaps page.
func mayEditKnowledge(a handoff.Agent) bool { return a.Role == handoff.RoleLead }

func (in *Inbox) leadOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
		if !mayEditKnowledge(agent) {
			return handoff.ErrForbidden
		}
		return h(w, r, agent)
	}
}

type gapEntry struct {
	ID       string            `json:"id"`
	Category string            `json:"category"`
	Title    map[string]string `json:"title"`
}

type gapsKB struct {
	Entries  int       `json:"entries"`
	LoadedAt time.Time `json:"loaded_at,omitzero"`
	// Error: the last reload failed (every problem); the previous KB serves.
	Error string `json:"error,omitempty"`
}

func (in *Inbox) gapsView(w http.ResponseWriter, r *http.Request, _ handoff.Agent) error {
	ctx := r.Context()
	groups, err := in.gaps.Groups(ctx)
	if err != nil {
		return err
	}
	items, err := in.gaps.Items(ctx)
	if err != nil {
		return err
	}
	store := in.gaps.Store()
	kb := gapsKB{}
	if st := store.Status(); st.Err != nil {
		kb.Error = st.Err.Error()
	} else {
		kb.LoadedAt = st.At
	}
	entries := []gapEntry{}
	if b := store.Current(); b != nil {
		for _, e := range b.Entries() {
			entries = append(entries, gapEntry{ID: e.ID, Category: e.Category, Title: e.Title})
		}
		kb.Entries = len(entries)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"groups": groups, "entries": entries, "items": items, "auto_accept": in.gaps.AutoAccept(), "kb": kb,
	})
	return nil
}

type gapQuestion struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

func questionsOf(qs []gapQuestion) []gaps.Question {
	out := make([]gaps.Question, len(qs))
	for i, q := range qs {
		out[i] = gaps.Question{Text: q.Text, Lang: q.Lang}
	}
	return out
}

func approver(a handoff.Agent) gaps.Approver {
	return gaps.Approver{ID: a.ID, Name: cmp.Or(a.Name, a.ID)}
}

func (in *Inbox) gapsExamples(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var req struct {
		Entry     string        `json:"entry"`
		Questions []gapQuestion `json:"questions"`
		Signals   []string      `json:"signals"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	it, err := in.gaps.ApproveExamples(r.Context(), approver(agent), gaps.Examples{
		Entry: req.Entry, Questions: questionsOf(req.Questions), Signals: req.Signals})
	if err != nil {
		return err
	}
	in.log.Info("knowledge examples approved", zap.String("agent_id", agent.ID), zap.String("entry", it.Entry), zap.String("item", it.ID))
	writeJSON(w, http.StatusOK, map[string]any{"item": it})
	return nil
}

func (in *Inbox) gapsEntry(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var req struct {
		ID        string            `json:"id"`
		Category  string            `json:"category"`
		Title     map[string]string `json:"title"`
		Answer    map[string]string `json:"answer"`
		Questions []gapQuestion     `json:"questions"`
		Signals   []string          `json:"signals"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	it, err := in.gaps.ApproveEntry(r.Context(), approver(agent), gaps.NewEntry{
		ID: req.ID, Category: req.Category, Title: req.Title, Answer: req.Answer,
		Questions: questionsOf(req.Questions), Signals: req.Signals})
	if err != nil {
		return err
	}
	in.log.Info("knowledge entry approved", zap.String("agent_id", agent.ID), zap.String("entry", it.Entry), zap.String("item", it.ID))
	writeJSON(w, http.StatusOK, map[string]any{"item": it})
	return nil
}

func (in *Inbox) gapsDismiss(w http.ResponseWriter, r *http.Request, _ handoff.Agent) error {
	var req struct {
		Signals []string `json:"signals"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := in.gaps.Dismiss(r.Context(), req.Signals); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

func (in *Inbox) gapsRemove(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	if err := in.gaps.Remove(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	in.log.Info("learned item removed", zap.String("agent_id", agent.ID), zap.String("item", r.PathValue("id")))
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}
