package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/handoff/media"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
)

// Contents fetches what a customer sent by its message id (bot/line: LINE's
// content API). It returns ErrContentTooLarge when the content is larger
// than max bytes.
type Contents interface {
	Content(ctx context.Context, messageID string, max int64) ([]byte, error)
}

// ErrContentTooLarge is returned by a Contents for content over the limit.
var ErrContentTooLarge = errors.New("bot: content larger than allowed")

// MediaStore keeps what customers send (*media.Store).
type MediaStore interface {
	Put(ctx context.Context, userID, sourceID, typ string, data []byte, name string) (media.Item, error)
	MaxFileBytes() int64
}

// maxIssueMedia is how many files of an issue the state remembers for the
// case (more stay in the transcript).
const maxIssueMedia = 10

// onMedia handles a sticker, photo, video, voice message or file: a file is
// fetched and kept (Contents, Media), recorded as a typed turn of the
// conversation and of the open case, and acknowledged in the customer's
// language. A photo for a remedy that asked for one (PhotoTopics) opens
// the case with the photos and the order number. A file that cannot be
// kept is recorded with its problem and the customer is told why.
func (e *Engine) onMedia(ctx context.Context, t *turn, log *zap.Logger) error {
	tu := e.mediaTurn(ctx, t, log)
	t.caseTurn = &tu
	if handled, err := e.duringHandoff(ctx, t, "", log); handled || err != nil {
		return err
	}
	t.turns = append(t.turns, tu)
	if tu.Kind == handoff.TurnSticker {
		e.onSticker(t)
		return nil
	}
	kept := tu.Media != nil && tu.Media.ID != ""
	if tu.Media != nil && tu.Media.Problem != "" {
		t.say(e.text(t, e.mediaProblemText(t, tu.Media.Problem)))
		return nil
	}
	st := t.st
	if kept {
		st.addMedia(tu)
	}
	timer := e.issueClock(t, "["+t.ev.MediaType+"]")
	if st.Mode == modeListening {
		// Part of the story (a photo of the damage): keep listening.
		st.ComplaintMsgs++
		if st.ComplaintMsgs >= maxFollowUps {
			return e.finishComplaint(ctx, t, log)
		}
		msg := e.tr.T(t.lang(), "bot_listen_more", nil)
		if kept {
			msg = e.receivedText(t, tu.Media.Type) + "\n" + msg
		}
		t.say(e.text(t, msg, e.doneReply(t)...))
		return nil
	}
	if kept && st.EvidenceEntry != "" {
		if st.EvidenceOrder != "" {
			return e.openWithEvidence(ctx, t, false, log)
		}
		t.say(e.text(t, e.receivedText(t, tu.Media.Type)+"\n"+e.tr.T(t.lang(), "bot_evidence_need_order", nil), e.personReply(t)))
		return nil
	}
	if !kept {
		return e.stuck(ctx, t, timer, "bot_media", log)
	}
	if len(timer) > 0 {
		return e.escalate(ctx, t, timer, log)
	}
	t.say(e.text(t, e.receivedText(t, tu.Media.Type)+"\n"+e.tr.T(t.lang(), "bot_media_what", nil), e.topicReplies(t, false)...))
	return nil
}

// onSticker answers a sticker as a person would, whatever flow is going
// on: a thanks sticker gets "you're welcome"; otherwise a short "got your
// sticker" and what the conversation waits for (the order number or the
// photos a remedy asked for, the phone digits, the refund's order, the rest
// of a complaint), else how the bot can help. Never "I can only read
// text": a sticker is a reaction, not a question the bot failed to read.
// It neither counts as unanswered nor starts or tells the story of an
// issue (the turn is in the transcript, so agents see it as a sticker).
func (e *Engine) onSticker(t *turn) {
	st, lang := t.st, t.lang()
	if s := t.ev.Sticker; s != nil {
		for _, k := range append(slices.Clone(s.Keywords), s.Text) {
			if k != "" && e.isKeyword(k, "bot_kw_thanks") {
				t.say(e.text(t, e.tr.T(lang, "bot_welcome", nil)))
				return
			}
		}
	}
	next, qs := "", []QuickReply{e.personReply(t)}
	switch {
	case st.Mode == modeListening:
		next, qs = "bot_listen_more", e.doneReply(t)
	case st.EvidenceEntry != "" && st.EvidenceOrder == "":
		next = "bot_sticker_need_order"
	case st.EvidenceEntry != "" && len(st.Media) == 0:
		next = "bot_sticker_need_photo"
	case st.Mode == modeAwaitingVerify:
		next = "bot_order_verify_digits"
	case st.Mode == modeAwaitingOrder, st.Mode == modeAwaitingRefund:
		next = "bot_sticker_need_order"
	default:
		next, qs = "bot_sticker_what", e.topicReplies(t, false)
	}
	ack := "bot_sticker_ack"
	if st.Mode == modeListening || st.Mode == modeAwaitingRefund || st.EvidenceEntry != "" ||
		st.LastCategory == knowledge.Complaint || st.LastCategory == knowledge.Fault {
		// In a complaint or after a fault: acknowledged soberly, no 😊.
		ack = "bot_sticker_ack_plain"
	}
	t.say(e.text(t, e.tr.T(lang, ack, nil)+"\n"+e.tr.T(lang, next, nil), qs...))
}

// mediaTurn is the customer's turn for a media event: a sticker, or the
// file kept in the store (or its problem).
func (e *Engine) mediaTurn(ctx context.Context, t *turn, log *zap.Logger) handoff.Turn {
	ev := t.ev
	tu := handoff.Turn{From: handoff.FromCustomer, At: t.now}
	if ev.MediaType == "sticker" {
		s := handoff.Sticker{}
		if ev.Sticker != nil {
			s = handoff.Sticker{PackageID: ev.Sticker.PackageID, StickerID: ev.Sticker.StickerID,
				Keywords: ev.Sticker.Keywords, Text: ev.Sticker.Text}
		}
		tu.Kind, tu.Sticker = handoff.TurnSticker, &s
		return tu
	}
	typ := handoff.MediaType(ev.MediaType)
	switch typ {
	case handoff.MediaImage, handoff.MediaVideo, handoff.MediaAudio, handoff.MediaFile:
	default:
		// A location or something new: keep the old text line.
		tu.Kind, tu.Text = handoff.TurnText, "["+ev.MediaType+"]"
		return tu
	}
	m := &handoff.Media{Type: typ}
	tu.Kind, tu.Media = handoff.TurnMedia, m
	a := ev.Attachment
	if a != nil {
		m.Name, m.Size, m.DurationMS = a.Name, a.Size, a.DurationMS
	}
	if a == nil || a.MessageID == "" || e.cfg.Contents == nil || e.cfg.Media == nil {
		m.Problem = ""
		return tu
	}
	limit := e.cfg.Media.MaxFileBytes()
	if a.Size > limit {
		m.Problem = handoff.MediaTooLarge
		return tu
	}
	data, err := e.cfg.Contents.Content(ctx, a.MessageID, limit)
	if err != nil && !errors.Is(err, ErrContentTooLarge) && ctx.Err() == nil {
		log.Warn("media content not fetched, retrying once", zap.Error(err))
		data, err = e.cfg.Contents.Content(ctx, a.MessageID, limit)
	}
	switch {
	case errors.Is(err, ErrContentTooLarge):
		m.Problem = handoff.MediaTooLarge
		return tu
	case err != nil:
		log.Warn("media content unavailable", zap.String("media_type", ev.MediaType), zap.Error(err))
		m.Problem = handoff.MediaUnavailable
		return tu
	}
	it, err := e.cfg.Media.Put(ctx, ev.UserID, a.MessageID, string(typ), data, a.Name)
	m.Size, m.ContentType = it.Size, it.ContentType
	switch {
	case errors.Is(err, media.ErrTooLarge):
		m.Problem = handoff.MediaTooLarge
	case errors.Is(err, media.ErrTypeNotAllowed):
		m.Problem = handoff.MediaTypeNotAllowed
	case errors.Is(err, media.ErrQuotaExceeded):
		m.Problem = handoff.MediaLimitReached
	case err != nil:
		log.Error("media not stored", zap.Error(err))
		m.Problem = handoff.MediaUnavailable
	default:
		m.ID = it.ID
		log.Info("media stored", zap.String("media_type", ev.MediaType), zap.Int64("size", it.Size),
			zap.String("content_type", it.ContentType))
	}
	return tu
}

// receivedText thanks for a file of typ ("收到您的照片了").
func (e *Engine) receivedText(t *turn, typ handoff.MediaType) string {
	return e.tr.T(t.lang(), "bot_media_received_"+string(typ), nil)
}

// mediaProblemText says politely why a file was not kept and what to do.
func (e *Engine) mediaProblemText(t *turn, p handoff.MediaProblem) string {
	limitMB := int64(10)
	if e.cfg.Media != nil {
		limitMB = max(e.cfg.Media.MaxFileBytes()>>20, 1)
	}
	return e.tr.T(t.lang(), "bot_media_problem_"+string(p), map[string]any{"LimitMB": limitMB})
}

// photoTopic reports whether entry id's remedy asks for photos.
func (e *Engine) photoTopic(id string) bool {
	return id != "" && slices.Contains(e.cfg.PhotoTopics, id)
}

// carrierTopic reports whether entry id's remedy promises to ask the
// courier once the order is known (CarrierTopics).
func (e *Engine) carrierTopic(id string) bool {
	return id != "" && slices.Contains(e.cfg.CarrierTopics, id)
}

// awaitEvidence notes, after a remedy that asks for photos and the order
// number, what the case will need.
func (t *turn) awaitEvidence(entryID string) {
	st := t.st
	st.EvidenceEntry, st.EvidenceOrder = entryID, st.ComplaintOrder
	st.EvidenceText = strings.TrimSpace(st.Complaint)
}

// remedyFor is the remedy of entry en for the customer as things stand,
// never asking again for what the customer gave (tryout 6, item 7). For a
// photo topic where the photos or the order number are already in (order:
// the one told), the sentences asking for photos (bot_kw_photo) are left
// out and ask is the one question for what is still missing. For another
// entry whose remedy asks for the order number (bot_kw_order_ask: "請提供
// 訂單編號，我們會向物流確認…") when it was told, that sentence is left out
// and lookup is set: the bot shows the order itself. Without either, the
// entry's answer whole.
func (e *Engine) remedyFor(t *turn, en *knowledge.Entry, order string) (remedy, ask string, lookup bool) {
	lang := t.lang()
	full := strings.TrimSpace(textIn(en.Answer, lang))
	photos := len(t.st.Media)
	photoTopic := e.photoTopic(en.ID)
	if (!photoTopic && order == "") || (photos == 0 && order == "") {
		return full, "", false
	}
	asks := func(s string) bool {
		switch {
		case photoTopic && e.mentions(s, "bot_kw_photo"):
			return true
		case order != "" && e.mentions(s, "bot_kw_order_ask"):
			lookup = lookup || !photoTopic
			return true
		}
		return false
	}
	var kept []string
	for _, s := range sentences(full) {
		if !asks(s) {
			kept = append(kept, s)
			continue
		}
		// A Chinese sentence keeps its clauses that ask for nothing
		// ("請提供訂單編號和照片，我們會免費到府取回…" keeps what is done).
		// Any clause asking for photos or the order goes: the bot asks for
		// what is missing in its own words ("連同訂單編號傳給我們" is no
		// sentence on its own).
		if rest := unaskedClauses(s, func(c string) bool {
			return (photoTopic && e.mentions(c, "bot_kw_photo")) || e.mentions(c, "bot_kw_order_ask")
		}); rest != "" {
			kept = append(kept, rest)
		}
	}
	remedy = strings.TrimSpace(strings.Join(kept, ""))
	switch {
	case !photoTopic:
	case photos > 0 && order == "":
		ask = e.tr.N(lang, "bot_evidence_have_photos_need_order", photos, nil)
	case photos == 0:
		ask = e.tr.T(lang, "bot_evidence_have_order_need_photo", map[string]any{"Order": order})
	}
	return remedy, ask, lookup
}

// unaskedClauses is a Chinese sentence (clauses split at "，") without the
// clauses asks reports, ending as the sentence did; "" when every clause
// asks, or for a sentence without such clauses (Latin text is left out
// whole: "Within 7 days, please send…" has no clause to keep).
func unaskedClauses(sentence string, asks func(string) bool) string {
	body := strings.TrimRight(sentence, " \n")
	end := ""
	if r, n := utf8.DecodeLastRuneInString(body); n > 0 && strings.ContainsRune("。！？", r) {
		body, end = body[:len(body)-n], string(r)
	}
	parts := strings.Split(body, "，")
	if len(parts) < 2 {
		return ""
	}
	var keep []string
	for _, p := range parts {
		if !asks(p) {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 || len(keep) == len(parts) {
		return ""
	}
	return strings.Join(keep, "，") + end + sentence[len(strings.TrimRight(sentence, " \n")):]
}

// sentences splits text after each sentence end (。！？!? a newline, or a
// full stop before a space), keeping every character: joined they are
// text again.
func sentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if i < start {
			continue // a space already taken with the sentence before
		}
		end := i + utf8.RuneLen(r)
		if strings.ContainsRune("。！？!?\n", r) || (r == '.' && (end == len(text) || text[end] == ' ')) {
			for end < len(text) && text[end] == ' ' {
				end++
			}
			out = append(out, text[start:end])
			start = end
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// evidenceReady reports whether the photos and the order number asked for
// are both in.
func (st *state) evidenceReady() bool {
	return st.EvidenceEntry != "" && st.EvidenceOrder != "" && len(st.Media) > 0
}

// evidenceOrder takes an order number given for a photo remedy; it reports
// whether the message was handled.
func (e *Engine) evidenceOrder(ctx context.Context, t *turn, order string, log *zap.Logger) (bool, error) {
	st := t.st
	if st.EvidenceEntry == "" || order == "" {
		return false, nil
	}
	if err := e.evidenceOwnerCheck(ctx, t, order, log); err != nil {
		return true, err
	}
	if kind := e.itemNotInOrder(ctx, t, order, st.EvidenceText, log); kind != "" {
		// A broken mug on an order with no mug: which order, not a case
		// against the wrong one.
		e.askOrderOfItem(t, order, kind)
		return true, nil
	}
	st.EvidenceOrder = order
	if len(st.Media) > 0 {
		return true, e.openWithEvidence(ctx, t, false, log)
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_evidence_need_photo", nil), e.personReply(t)))
	return true, nil
}

// evidenceOwnerCheck checks the phone's last 4 digits a customer typed
// with the order number of a damaged-item story ("訂單是 WL20261107，電話末
// 四碼 3295", tryout 10 #7), as the order look-up does with "WL20261110
// 电话尾号 6666": a match makes the order theirs (LastOrder), so the case's
// brief does not flag it for the agent to check again; a mismatch counts
// towards the same locks and leaves it flagged. Only digits said to be
// the phone's (bot_kw_phone), one run of four besides the order number;
// an order backend that cannot answer, or a lock, checks nothing (the
// person does). Nothing is said: the case opens as it would.
func (e *Engine) evidenceOwnerCheck(ctx context.Context, t *turn, order string, log *zap.Logger) error {
	text := t.ev.Text
	digits := withDigits(text, order)
	if len(digits) == 0 || order == t.st.LastOrder || t.ownerChecked == order || !e.mentions(text, "bot_kw_phone") {
		return nil
	}
	t.ownerChecked = order // one check per message, whichever path reaches it first
	_, matched, _, err := e.phoneCheck(ctx, t, order, digits[0], log)
	if err == nil && matched {
		t.st.LastOrder = order
	}
	return err
}

// openWithEvidence opens the case for a photo remedy with the order number
// and the photos, so the agent need not ask again. thank is LAST's Thank
// step, false when the remedy that asked for the photos already thanked
// (one Thank per story).
func (e *Engine) openWithEvidence(ctx context.Context, t *turn, thank bool, log *zap.Logger) error {
	st := t.st
	// The digits may come with the order at the end of the story ("訂單是
	// WL20261107，手機末四碼3295" after the photo: tryout 11 #3), not only
	// through evidenceOrder: checked here too, before the item check,
	// which only looks at an order shown to its owner.
	if err := e.evidenceOwnerCheck(ctx, t, st.EvidenceOrder, log); err != nil {
		return err
	}
	if kind := e.itemNotInOrder(ctx, t, st.EvidenceOrder, st.EvidenceText, log); kind != "" {
		// The order came with the story: checked before the case opens.
		e.askOrderOfItem(t, st.EvidenceOrder, kind)
		return nil
	}
	entry, _ := t.tkb.Entry(st.EvidenceEntry)
	st.LastTopic = st.EvidenceEntry
	if entry != nil {
		st.LastCategory = entry.Category
	}
	// The agent sees whether the order is the customer's (an order number
	// anyone could type): flagged in the brief until it is shown.
	unverified := !e.ownsOrder(ctx, t, st.EvidenceOrder)
	st.addTried(handoff.Attempt{Kind: handoff.AttemptOrder, Ref: orders.Mask(st.EvidenceOrder), OrderNumber: st.EvidenceOrder, OrderUnverified: unverified, At: t.now})
	t.say(e.text(t, e.tr.N(t.lang(), "bot_evidence_forwarded", len(st.Media), nil)))
	request := st.EvidenceText
	if request == "" {
		request = "[" + st.EvidenceEntry + "]"
	}
	if err := e.escalate(ctx, t, []escalation.Trigger{e.defect(request)}, log); err != nil || t.opened == "" || !thank {
		return err
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_thanks", nil))) // LAST's Thank step, as in the other paths
	return nil
}

// withIssueMedia adds to a transcript the files of this issue that fell
// off its end, so the case carries every photo collected before it opened.
func withIssueMedia(transcript []handoff.Turn, st *state) []handoff.Turn {
	if len(st.Media) == 0 {
		return transcript
	}
	have := map[string]bool{}
	for _, tu := range transcript {
		if tu.Media != nil && tu.Media.ID != "" {
			have[tu.Media.ID] = true
		}
	}
	var missing []handoff.Turn
	for _, tu := range st.Media {
		if tu.Media != nil && !have[tu.Media.ID] {
			missing = append(missing, tu)
		}
	}
	return append(missing, transcript...)
}

// addMedia remembers a kept file's turn for the case of this issue.
func (st *state) addMedia(tu handoff.Turn) {
	if slices.ContainsFunc(st.Media, func(x handoff.Turn) bool { return x.Media != nil && x.Media.ID == tu.Media.ID }) {
		return
	}
	st.Media = append(st.Media, tu)
	if len(st.Media) > maxIssueMedia {
		st.Media = st.Media[len(st.Media)-maxIssueMedia:]
	}
}
