package load

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what one run measured.
type Report struct {
	Sent, Acked int
	Refused     map[int]int // webhooks not acked with 200, by status (0: transport error)
	Answered    int         // acked events answered at least once
	Lost        int         // acked events never answered
	Duplicated  int         // events answered more than once
	ByReply     int         // events whose first answer was a reply
	ByPush      int         // events whose first answer was a push
	API         Counts

	SendTime time.Duration // first send to last send
	Elapsed  time.Duration // first send to last answer
	// AnsweredPerSec is Answered / Elapsed; AckedPerSec is Acked / SendTime.
	AnsweredPerSec, AckedPerSec float64

	Ack    Percentiles            // webhook request latency
	Answer Percentiles            // webhook sent → answer accepted by LINE
	ByKind map[string]Percentiles // Answer by question kind (faq, order)
}

// Percentiles of a latency.
type Percentiles struct {
	N             int
	P50, P99, Max time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return Percentiles{N: len(d), P50: d[len(d)/2], P99: d[(len(d)*99)/100], Max: d[len(d)-1]}
}

func (g *generator) report(start, sendEnd time.Time) Report {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fake.mu.Lock()
	defer g.fake.mu.Unlock()
	r := Report{Sent: len(g.events), Refused: g.refused, API: g.fake.c, ByKind: map[string]Percentiles{}}
	var acks, answers []time.Duration
	byKind := map[string][]time.Duration{}
	last := start
	for _, t := range g.events {
		if t.answers > 1 {
			r.Duplicated++
		}
		if !t.acked {
			continue
		}
		r.Acked++
		acks = append(acks, t.ackLatency)
		if t.answers == 0 {
			r.Lost++
			continue
		}
		r.Answered++
		if t.via == "reply" {
			r.ByReply++
		} else {
			r.ByPush++
		}
		d := t.answeredAt.Sub(t.sent)
		answers = append(answers, d)
		byKind[t.kind] = append(byKind[t.kind], d)
		if t.answeredAt.After(last) {
			last = t.answeredAt
		}
	}
	r.SendTime, r.Elapsed = sendEnd.Sub(start), last.Sub(start)
	if r.Elapsed > 0 {
		r.AnsweredPerSec = float64(r.Answered) / r.Elapsed.Seconds()
	}
	if r.SendTime > 0 {
		r.AckedPerSec = float64(r.Acked) / r.SendTime.Seconds()
	}
	r.Ack, r.Answer = percentiles(acks), percentiles(answers)
	for k, d := range byKind {
		r.ByKind[k] = percentiles(d)
	}
	return r
}

// Print writes the report for a person.
func (r Report) Print(w io.Writer, name string) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "%s:\n", name)
	fmt.Fprintf(w, "  sent %d, acked %d (%.0f/s over %.1fs)%s\n", r.Sent, r.Acked, r.AckedPerSec, r.SendTime.Seconds(), refused(r.Refused))
	fmt.Fprintf(w, "  answered %d (%.0f/s, last answer at %.1fs), lost %d, duplicated %d\n", r.Answered, r.AnsweredPerSec, r.Elapsed.Seconds(), r.Lost, r.Duplicated)
	fmt.Fprintf(w, "  first answer by reply %d, by push %d; API: replies %d, pushes %d (+%d continuation, %d other), 409 repeated keys %d, invalid tokens %d (%d expired), profiles %d, loading %d\n",
		r.ByReply, r.ByPush, r.API.Replies, r.API.Pushes, r.API.MorePushes, r.API.OtherPushes, r.API.RepeatedKeys, r.API.InvalidTokens, r.API.ExpiredTokens, r.API.Profiles, r.API.Loading)
	fmt.Fprintf(w, "  ack p50 %s, p99 %s; webhook→answer p50 %s, p99 %s, max %s\n", ms(r.Ack.P50), ms(r.Ack.P99), ms(r.Answer.P50), ms(r.Answer.P99), ms(r.Answer.Max))
	if len(r.ByKind) > 1 {
		kinds := make([]string, 0, len(r.ByKind))
		for k := range r.ByKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			p := r.ByKind[k]
			fmt.Fprintf(w, "  %s (%d): webhook→answer p50 %s, p99 %s, max %s\n", k, p.N, ms(p.P50), ms(p.P99), ms(p.Max))
		}
	}
}

func refused(m map[int]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for s, n := range m {
		name := fmt.Sprintf("status %d", s)
		if s == 0 {
			name = "transport error"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	sort.Strings(parts)
	return ", not acked: " + strings.Join(parts, ", ")
}
