package alerts

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadWebhooks(t *testing.T) {
	fsys := fstest.MapFS{
		"alerts.yaml": {Data: []byte(`webhooks:
  - name: legal-slack
    url: https://hooks.slack.com/services/T000/B000/XXXX
    format: slack
    kinds: [notify, p1]
  - name: ops
    url: https://ops.example.com/hooks/warmline
    secret_file: hook.secret
    lang: en
  - name: teams
    url: https://example.webhook.office.com/webhookb2/x
    format: Teams
`)},
		"hook.secret": {Data: []byte("  shared-secret\n")},
	}
	got, err := LoadWebhooks(fsys, "alerts.yaml")
	if err != nil {
		t.Fatalf("LoadWebhooks: %v", err)
	}
	want := []Webhook{
		{Name: "legal-slack", URL: "https://hooks.slack.com/services/T000/B000/XXXX", Format: FormatSlack, Kinds: []Kind{KindNotify, KindP1}},
		{Name: "ops", URL: "https://ops.example.com/hooks/warmline", Format: FormatGeneric, Secret: "shared-secret", Lang: "en"},
		{Name: "teams", URL: "https://example.webhook.office.com/webhookb2/x", Format: FormatTeams},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("webhooks (-want +got):\n%s", d)
	}
	if got[0].Wants(KindSLABreach) || !got[0].Wants(KindP1) || !got[1].Wants(KindSLABreach) {
		t.Error("Wants does not follow kinds (empty = all)")
	}
}

func TestLoadWebhooksReportsEveryProblem(t *testing.T) {
	fsys := fstest.MapFS{"bad.yaml": {Data: []byte(`webhooks:
  - name: a
    url: hooks.slack.com/no-scheme
    format: slack
  - name: a
    url: https://x.example.com
    format: generic
  - name: c
    url: https://x.example.com
    format: discord
    kinds: [breach]
    lang: ja
`)}}
	_, err := LoadWebhooks(fsys, "bad.yaml")
	if err == nil {
		t.Fatal("LoadWebhooks accepted a bad file")
	}
	for _, want := range []string{"webhook a: url", `name "a" used twice`, "a secret is required", `format "discord"`, `kind "breach"`, `lang "ja"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "no-scheme") {
		t.Errorf("the error shows the URL (a secret for Slack): %v", err)
	}
	if _, err := LoadWebhooks(fstest.MapFS{"x.yaml": {Data: []byte("webhook: []\n")}}, "x.yaml"); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestTeamsPayload(t *testing.T) {
	f := newFixture(t)
	r := renderer{tr: f.tr, loc: f.cases.Policy().Location, inboxURL: inboxURL}
	due := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	a := Alert{ID: "sla_breach:CS-1:first_response:1", Kind: KindSLABreach, CaseID: "CS-1", Priority: "P2", Tier: "L2",
		Category: "fault", Clock: ClockFirstResponse, Deadline: due}
	b, err := r.payload(FormatTeams, a, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	m := decode[teamsMessage](t, b)
	if m.Type != "message" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("message = %s", b)
	}
	card := m.Attachments[0].Content
	if card.Type != "AdaptiveCard" || len(card.Body) != 2 || card.Body[1].Type != "FactSet" {
		t.Fatalf("card = %+v", card)
	}
	if want := "工单 CS-1（P2）已超时：首次回复期限 2026-11-23 14:00 (UTC+08:00) 已过"; card.Body[0].Text != want {
		t.Errorf("title = %q, want %q", card.Body[0].Text, want)
	}
	wantFacts := []teamsFact{{"工单号", "CS-1"}, {"优先级", "P2"}, {"层级", "L2"}, {"类别", "故障"}, {"首次回复期限", "2026-11-23 14:00 (UTC+08:00)"}}
	if d := cmp.Diff(wantFacts, card.Body[1].Facts); d != "" {
		t.Errorf("facts (-want +got):\n%s", d)
	}
	if len(card.Actions) != 1 || card.Actions[0].Type != "Action.OpenUrl" || card.Actions[0].URL != inboxURL+"CS-1" {
		t.Errorf("actions = %+v", card.Actions)
	}
}

func TestNoInboxURLNoLink(t *testing.T) {
	f := newFixture(t)
	r := renderer{tr: f.tr, loc: f.cases.Policy().Location}
	a := Alert{ID: "p1:CS-1", Kind: KindP1, CaseID: "CS-1", Priority: "P1", Tier: "L2"}
	b, err := r.payload(FormatSlack, a, "en")
	if err != nil {
		t.Fatal(err)
	}
	m := decode[slackMessage](t, b)
	if len(m.Blocks) != 2 || strings.Contains(m.Text, "<") {
		t.Errorf("without an inbox URL the message should have no link or button: %s", b)
	}
	b, _ = r.payload(FormatTeams, a, "en")
	if tm := decode[teamsMessage](t, b); len(tm.Attachments[0].Content.Actions) != 0 {
		t.Errorf("without an inbox URL the card should have no action: %s", b)
	}
}
