package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors of Put and Get.
var (
	ErrTooLarge       = errors.New("media: file too large")
	ErrTypeNotAllowed = errors.New("media: content type not allowed")
	ErrQuotaExceeded  = errors.New("media: customer's storage limit reached")
	ErrNotFound       = errors.New("media: not found")
)

// Defaults for Config fields left zero.
const (
	DefaultMaxFileBytes     = 10 << 20
	DefaultMaxCustomerBytes = 50 << 20
	DefaultRetention        = 30 * 24 * time.Hour
)

// Config sets the limits of a Store.
type Config struct {
	MaxFileBytes     int64         // one file (default 10 MB)
	MaxCustomerBytes int64         // all files of one customer within Retention (default 50 MB)
	Retention        time.Duration // how long a file is kept (default 30 days)
	Clock            func() time.Time
}

// Store keeps customer media in Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	cfg    Config
}

// Item describes a stored file.
type Item struct {
	ID          string
	UserID      string
	Type        string // image, video, audio, file (as the customer sent it)
	ContentType string // sniffed
	Size        int64
	Name        string // file name, when the customer's app gave one
	At          time.Time
}

// New returns a Store writing under prefix (e.g. "wl:").
func New(rdb redis.UniversalClient, prefix string, cfg Config) *Store {
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.MaxCustomerBytes <= 0 {
		cfg.MaxCustomerBytes = DefaultMaxCustomerBytes
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Store{rdb: rdb, prefix: prefix, cfg: cfg}
}

// MaxFileBytes is the largest file Put accepts (fetchers read one byte
// more to tell a too-large file).
func (s *Store) MaxFileBytes() int64 { return s.cfg.MaxFileBytes }

// Retention is how long a file is kept.
func (s *Store) Retention() time.Duration { return s.cfg.Retention }

func (s *Store) blobKey(userID, id string) string {
	return s.prefix + "{u:" + userID + "}:media:" + id
}

func (s *Store) usageKey(userID string) string {
	return s.prefix + "{u:" + userID + "}:media_bytes"
}

// ID is the media id of the file from sourceID (the LINE message id) of
// userID: the same message always gets the same id.
func ID(userID, sourceID string) string {
	sum := sha256.Sum256([]byte(userID + "\x00" + sourceID))
	return hex.EncodeToString(sum[:16])
}

// validID reports whether id has the shape ID returns.
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// putScript stores one file unless it exists, within the customer's limit.
// KEYS[1] blob, KEYS[2] byte counter; ARGV[1] size, ARGV[2] limit,
// ARGV[3] TTL ms, ARGV[4..] hash field/value pairs.
// Returns 1 stored, 0 already stored, -1 over the limit.
var putScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return -1 end
redis.call('INCRBY', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// Put stores data that userID sent in message sourceID as a file of type
// (image, video, audio, file) named name (may be empty). It returns the
// item with the sniffed content type; on ErrTooLarge, ErrTypeNotAllowed
// and ErrQuotaExceeded the item still carries what was learned (size,
// content type) so the caller can record the turn.
func (s *Store) Put(ctx context.Context, userID, sourceID, typ string, data []byte, name string) (Item, error) {
	it := Item{
		ID: ID(userID, sourceID), UserID: userID, Type: typ, Size: int64(len(data)),
		Name: name, At: s.cfg.Clock(),
	}
	if userID == "" || sourceID == "" {
		return it, fmt.Errorf("put media: user and source ids are required")
	}
	if it.Size > s.cfg.MaxFileBytes {
		return it, ErrTooLarge
	}
	it.ContentType = Sniff(data)
	if !Allowed(it.ContentType) {
		return it, ErrTypeNotAllowed
	}
	args := []any{
		it.Size, s.cfg.MaxCustomerBytes, s.cfg.Retention.Milliseconds(),
		"type", it.Type, "content_type", it.ContentType, "size", it.Size,
		"name", it.Name, "at", it.At.UnixMilli(), "data", data,
	}
	n, err := putScript.Run(ctx, s.rdb, []string{s.blobKey(userID, it.ID), s.usageKey(userID)}, args...).Int()
	if err != nil {
		return it, fmt.Errorf("put media %s: %w", it.ID, err)
	}
	if n < 0 {
		return it, ErrQuotaExceeded
	}
	return it, nil
}

// Get returns the file id of userID and its content; ErrNotFound when it
// does not exist (never stored, expired, or another customer's).
func (s *Store) Get(ctx context.Context, userID, id string) (Item, []byte, error) {
	if userID == "" || !validID(id) {
		return Item{}, nil, ErrNotFound
	}
	h, err := s.rdb.HGetAll(ctx, s.blobKey(userID, id)).Result()
	if err != nil {
		return Item{}, nil, fmt.Errorf("get media %s: %w", id, err)
	}
	data, ok := h["data"]
	if !ok {
		return Item{}, nil, ErrNotFound
	}
	size, _ := strconv.ParseInt(h["size"], 10, 64)
	at, _ := strconv.ParseInt(h["at"], 10, 64)
	it := Item{
		ID: id, UserID: userID, Type: h["type"], ContentType: h["content_type"],
		Size: size, Name: h["name"], At: time.UnixMilli(at),
	}
	return it, []byte(data), nil
}
