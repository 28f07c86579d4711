package inbox

import (
	"fmt"
	"regexp"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// fullOrder is an order number as customers type it and agents see it.
var fullOrder = regexp.MustCompile(`WL\d{8}`)

// TestAgentsSeeFullOrdersLogsDoNot (issue 11, 13.8 and 13.9): agents get
// the full order number in the brief, the facts and the reply templates,
// while no log line of the service or the inbox (debug level included)
// carries one through a case's life: opened, read, claimed, replied to,
// noted, resolved.
func TestAgentsSeeFullOrdersLogsDoNot(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	core, logs := observer.New(zap.DebugLevel)
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	var svc *handoff.Service
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) {
		c.Log = zap.New(core).Named("inbox")
		svc, err = handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: &pushLog{}, Clock: c.Clock, Log: zap.New(core).Named("handoff")})
		if err != nil {
			t.Fatal(err)
		}
		c.Service = svc
	})
	const order = "WL20261110"
	c, err := svc.Open(t.Context(), handoff.Opening{UserID: "U-orders", DisplayName: "王小美", Lang: "zh-TW", Category: "fault",
		Request:  "訂單 " + order + " 的杯子破了",
		Triggers: []escalation.Trigger{{Kind: escalation.KindDefect, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: "訂單 " + order + " 的杯子破了"}},
		Tried: []handoff.Attempt{{Kind: handoff.AttemptOrder, Ref: "WL****1110", OrderNumber: order, OrderStatus: "in_transit", Outcome: handoff.OutcomeStatusShown},
			{Kind: handoff.AttemptRefund, Ref: order, Outcome: handoff.OutcomeRefundOverLimit, Amount: 2500}},
		Transcript: []handoff.Turn{cust("訂單 " + order + " 的杯子破了")}})
	if err != nil {
		t.Fatal(err)
	}
	mei := e.signedIn(t, "mei")
	code, out := mei.call(t, "GET", "/api/cases/"+c.ID, "")
	if code != 200 || !fullOrder.MatchString(fmt.Sprint(out["brief"])) || !fullOrder.MatchString(fmt.Sprint(out["facts"])) {
		t.Errorf("the agent's case = %d, brief %v, facts %v: want the full order number", code, out["brief"], out["facts"])
	}
	for _, step := range []struct{ method, path, body string }{
		{"POST", "/api/cases/" + c.ID + "/claim", ""},
		{"GET", "/api/cases/" + c.ID + "/canned", ""},
		{"POST", "/api/cases/" + c.ID + "/reply", `{"text":"您好，訂單 ` + order + ` 已為您安排補寄。"}`},
		{"POST", "/api/cases/" + c.ID + "/notes", `{"text":"` + order + ` 已通知倉庫"}`},
		{"POST", "/api/cases/" + c.ID + "/resolve", `{"note":"` + order + ` 補寄完成"}`},
	} {
		if code, out := mei.call(t, step.method, step.path, step.body); code != 200 {
			t.Fatalf("%s %s = %d %v", step.method, step.path, code, out)
		}
	}
	if logs.Len() == 0 {
		t.Fatal("no log lines to check")
	}
	for _, l := range logs.All() {
		line := l.LoggerName + ": " + l.Message
		for k, v := range l.ContextMap() {
			line += " " + k + "=" + fmt.Sprint(v)
		}
		if fullOrder.MatchString(line) {
			t.Errorf("a log line carries a full order number: %s", line)
		}
	}
}
