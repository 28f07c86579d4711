package gaps

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge"
)

// Defaults of Config.
const (
	DefaultRetention = 90 * 24 * time.Hour
	// FileName is the overlay file the learned items are served and
	// written as, at the top of the KB directory.
	FileName = "learned.yaml"
	// maxSignals bounds how many recent signals a view or an auto-accept
	// check reads.
	maxSignals = 20000
)

// ErrInvalid wraps an approval the KB would not load (the wrapping error
// says why) or a malformed request.
var ErrInvalid = errors.New("invalid approval")

// ErrNoItem: no learned item has the id.
var ErrNoItem = errors.New("no such learned item")

// Config wires a Service. Redis and Store are required.
type Config struct {
	Redis  redis.UniversalClient
	Prefix string // key prefix, e.g. "wl:"
	// Store is the KB the approvals extend: Service.Files is its overlay
	// (New sets it), approvals are checked against it and reload it.
	Store *knowledge.Store
	Clock func() time.Time
	Log   *zap.Logger
	// Retention is how long signals are kept (default 90 days).
	Retention time.Duration
	// AutoAccept approves a menu tap on its own once this many distinct
	// customers picked the same entry for the same question group; 0 (the
	// default) leaves every approval to a lead.
	AutoAccept int
	// Instance names this replica on the reload channel (default random).
	Instance string
}

// Service records signals, groups them and keeps the learned items.
type Service struct {
	rdb       redis.UniversalClient
	tag       string // "{<p>gaps}"
	store     *knowledge.Store
	now       func() time.Time
	log       *zap.Logger
	retention time.Duration
	auto      int
	instance  string
}

// New checks cfg and makes the Service the store's overlay.
func New(cfg Config) (*Service, error) {
	var errs []error
	if cfg.Redis == nil {
		errs = append(errs, errors.New("gaps: Redis is required"))
	}
	if cfg.Store == nil {
		errs = append(errs, errors.New("gaps: Store is required"))
	}
	if cfg.AutoAccept < 0 {
		errs = append(errs, fmt.Errorf("gaps: AutoAccept %d is negative", cfg.AutoAccept))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Instance == "" {
		cfg.Instance = randomID()
	}
	s := &Service{
		rdb: cfg.Redis, tag: "{" + cfg.Prefix + "gaps}", store: cfg.Store, now: cfg.Clock, log: cfg.Log,
		retention: cfg.Retention, auto: cfg.AutoAccept, instance: cfg.Instance,
	}
	cfg.Store.SetOverlay(s)
	return s, nil
}

func (s *Service) key(name string) string { return s.tag + ":" + name }

// Store is the KB the service extends.
func (s *Service) Store() *knowledge.Store { return s.store }

// AutoAccept is the agreement count of auto-accept, 0 when off.
func (s *Service) AutoAccept() int { return s.auto }
