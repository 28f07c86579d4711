package escalation

import "testing"

// The ninth blind set (triggers-blind9-*) was written on 2026-12-02 by a
// helper (trigdata9) who saw only the SOP and the blind8 file's header (the
// labelling guide), never the rules, the complaint model or the detector,
// and split once into -dev (read and tuned on) and -test (held out: only
// its aggregate scores are logged, never its messages).

// TestBlind9DevEval scores the dev half, tuned on in the blind9 work: its
// misses are logged and floors a little under what it scores guard it
// (regression guards, not measurements). Before it was read (rules of
// bba34bb): P 88.8% R 80.4% (legal_media P 90.5% R 70.4%, security 87.5% /
// 77.8%, supervisor 88.0% / 81.5%, human 96.0% / 82.8%, refund_over_limit
// 83.3% / 89.3%; complaint P 90.9% R 83.3%); after: P 100% R 100%.
func TestBlind9DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind9-dev.yaml")); n != 225 {
		t.Fatalf("triggers-blind9-dev.yaml has %d messages, want 225", n)
	}
	guardSet(t, "triggers-blind9-dev.yaml", false, floors{precision: 0.99, recall: 0.99,
		kindRecall: recallOf(0.98, 0.98, 0.98, 0.98, 0.98), complaintP: 0.92, complaintR: 0.84})
}

// TestBlind9Probes guards the blind9 work's own probes (triggers-probe28,
// written after reading the rules: tuned on). Their complaint flag is not
// labelled, so only the triggers are checked.
func TestBlind9Probes(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	guardSet(t, "triggers-probe28.yaml", false, floors{precision: 0.98, recall: 0.98})
}

// TestBlind9TestHalfEval scores the former held-out half (436 messages),
// dev data since the blind10 work (2026-12-03): it was scored more than once,
// so it measures nothing held out any more; its misses are logged and it was
// read and tuned on. As a held-out set it was scored once on the rules before
// the blind9 work (013d36a: P 91.0% R 83.1%; legal_media P 91.5% R 79.6%,
// security 81.2% / 73.6%, supervisor 93.9% / 85.2%, human 95.5% / 79.2%,
// refund_over_limit 92.9% / 98.1%; complaint P 86.9% R 89.3%) and once after
// it (f4ccc91: P 93.5% R 85.8%; legal_media 97.8% / 81.5%, security 82.4% /
// 79.2%, supervisor 94.0% / 87.0%, human 97.8% / 83.0%, refund_over_limit
// 96.3% / 98.1%; complaint P 88.7% R 89.3%). Tuned on in the blind10 work:
// P 100% R 100%, complaint P 93.0% R 98.7% (rules of 0a40c19). The floors guard that (regression
// guards on dev data, not measurements); triggers-blind10-test is the
// held-out set now.
func TestBlind9TestHalfEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind9-test.yaml")); n != 436 {
		t.Fatalf("triggers-blind9-test.yaml has %d messages, want 436", n)
	}
	guardSet(t, "triggers-blind9-test.yaml", false, floors{precision: 0.985, recall: 0.985,
		kindRecall: recallOf(0.97, 0.98, 0.97, 0.98, 0.98), complaintP: 0.92, complaintR: 0.98})
}
