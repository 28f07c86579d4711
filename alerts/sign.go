package alerts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Signature headers of every webhook request whose webhook has a secret.
const (
	// HeaderTimestamp is the Unix time (seconds) the request was signed at.
	HeaderTimestamp = "X-Warmline-Timestamp"
	// HeaderSignature is "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
	HeaderSignature = "X-Warmline-Signature"
	// HeaderAlertID is the alert's id, the same on every retry: receivers
	// deduplicate on it (delivery is at least once).
	HeaderAlertID = "X-Warmline-Alert-Id"
	// HeaderKind is the alert's kind.
	HeaderKind = "X-Warmline-Alert-Kind"
)

// Sign returns the HeaderSignature value of body signed at ts.
func Sign(secret string, ts time.Time, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verification errors.
var (
	ErrBadSignature = errors.New("alerts: signature does not match")
	ErrStale        = errors.New("alerts: timestamp outside the tolerance (replayed or clock skew)")
)

// Verify checks a request a receiver got: the raw body, its HeaderTimestamp
// and HeaderSignature values, against the shared secret, and that the
// timestamp lies within tolerance of now (5 minutes is a good choice), so a
// captured request cannot be replayed later. This is what a receiver does;
// written in any language it is:
//
//	expected = "sha256=" + hex(hmac_sha256(secret, timestamp + "." + body))
//	ok = constant_time_equal(expected, signature) and |now - timestamp| <= tolerance
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(signature), "sha256=")
	if !ok {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || !hmac.Equal(got, mac(secret, strconv.FormatInt(sec, 10), body)) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}
