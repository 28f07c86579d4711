package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/ledger"
)

// Lead is what the support lead's metrics read: handoffs and alerts as the
// Alerter counted them, the open cases, the case ledger's archive lag. Any
// field may be nil (its metrics are then absent).
type Lead struct {
	Alerts interface{ Stats() alerts.Stats }
	// OpenCases lists every open case (a lead's view of the queue).
	OpenCases func(ctx context.Context) ([]*handoff.Case, error)
	Archive   interface {
		Lag(ctx context.Context) (ledger.Lag, error)
	}
	Clock func() time.Time // default time.Now
}

// AddLead registers the lead's collector.
func (m *Metrics) AddLead(l Lead) {
	if l.Clock == nil {
		l.Clock = time.Now
	}
	m.reg.MustRegister(&leadCollector{l: l, log: m.log})
}

var (
	handoffsDesc = prometheus.NewDesc("warmline_handoffs_total",
		"Cases opened (handoffs to a person) as this replica read handoff's events, by the first trigger, tier and priority at opening; sum over replicas.",
		[]string{"trigger", "tier", "priority"}, nil)
	alertsDesc = prometheus.NewDesc("warmline_alerts_total",
		"Alerts this replica queued, by kind: notify, p1, sla_warning, sla_breach (each alert is queued once across replicas; sum over replicas).",
		[]string{"kind"}, nil)
	openDesc = prometheus.NewDesc("warmline_open_cases",
		"Open cases (queued or claimed) by tier and priority (all replicas).", []string{"tier", "priority"}, nil)
	overdueDesc = prometheus.NewDesc("warmline_open_cases_overdue",
		"Open cases past their current SLA deadline (first response until the first reply, then resolution), by tier.", []string{"tier"}, nil)
	archiveBacklogDesc = prometheus.NewDesc("warmline_ledger_archive_backlog",
		"Archive entries not stored in the case ledger yet (all replicas).", nil, nil)
	archivePendingDesc = prometheus.NewDesc("warmline_ledger_archive_pending",
		"Archive entries delivered to an archiver and not acknowledged.", nil, nil)
	archiveAgeDesc = prometheus.NewDesc("warmline_ledger_archive_oldest_age_seconds",
		"Age of the oldest archive entry not stored in the ledger (0 when none): the archiver's lag.", nil, nil)
	leadReadDesc = prometheus.NewDesc("warmline_lead_readable",
		"1 when the last scrape could read the open cases and the archive lag from Redis, else 0.", nil, nil)
)

// leadCollector reads the counters and Redis at each scrape.
type leadCollector struct {
	l   Lead
	log *zap.Logger
}

func (c *leadCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{handoffsDesc, alertsDesc, openDesc, overdueDesc,
		archiveBacklogDesc, archivePendingDesc, archiveAgeDesc, leadReadDesc} {
		ch <- d
	}
}

func (c *leadCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if c.l.Alerts != nil {
		st := c.l.Alerts.Stats()
		for k, n := range st.Handoffs {
			ch <- prometheus.MustNewConstMetric(handoffsDesc, prometheus.CounterValue, float64(n), k.Trigger, k.Tier, k.Priority)
		}
		for _, k := range alerts.Kinds {
			ch <- prometheus.MustNewConstMetric(alertsDesc, prometheus.CounterValue, float64(st.Fired[k]), string(k))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	readable := 1.0
	if c.l.OpenCases != nil {
		cases, err := c.l.OpenCases(ctx)
		if err != nil {
			c.log.Warn("metrics: read the open cases", zap.Error(err))
			readable = 0
		} else {
			now := c.l.Clock()
			open := map[[2]string]int{}
			overdue := map[string]int{}
			for _, tier := range []string{handoff.TierL2, handoff.TierL3} {
				overdue[tier] = 0
				for _, p := range handoff.Priorities {
					open[[2]string{tier, p}] = 0
				}
			}
			for _, k := range cases {
				open[[2]string{k.Tier, k.Priority}]++
				if !now.Before(k.NextDue()) {
					overdue[k.Tier]++
				}
			}
			for k, n := range open {
				gauge(openDesc, float64(n), k[0], k[1])
			}
			for tier, n := range overdue {
				gauge(overdueDesc, float64(n), tier)
			}
		}
	}
	if c.l.Archive != nil {
		lag, err := c.l.Archive.Lag(ctx)
		if err != nil {
			c.log.Warn("metrics: read the archive lag", zap.Error(err))
			readable = 0
		} else {
			gauge(archiveBacklogDesc, float64(lag.Entries))
			gauge(archivePendingDesc, float64(lag.Pending))
			gauge(archiveAgeDesc, lag.Oldest.Seconds())
		}
	}
	gauge(leadReadDesc, readable)
}
