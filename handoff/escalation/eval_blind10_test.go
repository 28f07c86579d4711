package escalation

import "testing"

// The tenth blind sets (triggers-blind10-*, 661 messages, and
// complaints-blind10-*, 315) were written on 2026-12-03 by a helper
// (trigdata10) who saw only the SOP and the labelling guide, never the rules,
// the complaint model or the detector, and split once into -dev (read and
// tuned on in the blind10 work) and -test (held out: only aggregate scores
// are logged, never its messages).

// TestBlind10DevEval scores the dev halves, tuned on in the blind10 work:
// their misses are logged and floors a little under what they score guard
// them (regression guards, not measurements). Before they were read (rules of
// 851705c): triggers-blind10-dev P 96.7% R 93.5% (legal_media P 100% R
// 95.8%, security 97.7% / 84.3%, supervisor 100% / 100%, human 95.8% /
// 95.8%, refund_over_limit 91.4% / 100%; complaint P 95.3% R 93.2%);
// complaints-blind10-dev complaint P 100% R 78.9% (en 52.6%). After:
// triggers P 99.4% R 99.4%, complaint P 95.6% R 98.9%; complaints-blind10-dev
// complaint P 100% R 96.5%.
func TestBlind10DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind10-dev.yaml")); n != 227 {
		t.Fatalf("triggers-blind10-dev.yaml has %d messages, want 227", n)
	}
	guardSet(t, "triggers-blind10-dev.yaml", false, floors{precision: 0.99, recall: 0.99,
		kindRecall: recallOf(0.98, 0.98, 0.98, 0.95, 0.98), complaintP: 0.95, complaintR: 0.98})
	guardSet(t, "complaints-blind10-dev.yaml", false, floors{complaintP: 0.99, complaintR: 0.96})
}
