package handoff

import (
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/locales"
)

// KB is the knowledge base the brief and the inbox name entries from, in
// the agent's language (a *knowledge.Store: its current base after each
// reload).
type KB interface {
	Current() *knowledge.Base
}

// Config of a Service. Redis, Translator and Messenger are required.
type Config struct {
	Redis      redis.UniversalClient
	Prefix     string  // key prefix, e.g. "wl:"
	Policy     *Policy // nil: DefaultPolicy()
	Translator *locales.Translator
	Messenger  Messenger
	Clock      func() time.Time // nil: time.Now
	Log        *zap.Logger      // nil: no logs
	// Summarizer is optional (nil: no LLM summary).
	Summarizer Summarizer
	// SummaryTimeout bounds one background summary (default 20s).
	SummaryTimeout time.Duration
	// PushTimeout bounds one push to the customer (default 10s).
	PushTimeout time.Duration
	// KB is optional: with it, attempted FAQ entries are named in the
	// agent's language from their entry id (else by the title stored).
	KB KB
}

// Service is the handoff domain service. Safe for concurrent use; several
// replicas may share one Redis.
type Service struct {
	rdb            redis.UniversalClient
	prefix         string
	policy         *Policy
	tr             *locales.Translator
	msg            Messenger
	now            func() time.Time
	log            *zap.Logger
	sum            Summarizer
	summaryTimeout time.Duration
	pushTimeout    time.Duration
	kb             KB
	bg             sync.WaitGroup
}

// New builds a Service.
func New(cfg Config) (*Service, error) {
	var errs []error
	if cfg.Redis == nil {
		errs = append(errs, errors.New("handoff: Config.Redis is required"))
	}
	if cfg.Translator == nil {
		errs = append(errs, errors.New("handoff: Config.Translator is required"))
	}
	if cfg.Messenger == nil {
		errs = append(errs, errors.New("handoff: Config.Messenger is required"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &Service{
		rdb: cfg.Redis, prefix: cfg.Prefix, policy: cfg.Policy, tr: cfg.Translator, msg: cfg.Messenger,
		now: cfg.Clock, log: cfg.Log, sum: cfg.Summarizer,
		summaryTimeout: cfg.SummaryTimeout, pushTimeout: cfg.PushTimeout, kb: cfg.KB,
	}
	if s.policy == nil {
		s.policy = DefaultPolicy()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.summaryTimeout <= 0 {
		s.summaryTimeout = 20 * time.Second
	}
	if s.pushTimeout <= 0 {
		s.pushTimeout = 10 * time.Second
	}
	return s, nil
}

// EntryTitle is the title of knowledge-base entry id in lang, "" when
// there is no KB, no such entry or no title in lang.
func (s *Service) EntryTitle(id, lang string) string {
	if s.kb == nil || id == "" {
		return ""
	}
	b := s.kb.Current()
	if b == nil {
		return ""
	}
	if en, ok := b.Entry(id); ok {
		return en.Title[lang]
	}
	return ""
}

// Policy returns the SLA policy in use.
func (s *Service) Policy() *Policy { return s.policy }

// Wait blocks until background work (LLM summaries) has finished; call it on
// shutdown after the last Open.
func (s *Service) Wait() { s.bg.Wait() }
