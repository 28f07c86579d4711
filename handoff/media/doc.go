// Package media owns the files customers send (photos, videos, voice
// messages, documents): it keeps them in Redis so every replica can read
// them and they survive restarts, checks their size and type, and lets them
// expire after a retention period.
//
// Put sniffs the content type with net/http.DetectContentType (plus the
// ISO base-media "ftyp" brand, which tells an M4A voice message from an
// MP4 video) and accepts only the allow-list in Allowed: common images,
// PDF, MP4/WebM video and common audio. A file larger than MaxFileBytes
// (default 10 MB) is refused with ErrTooLarge, a disallowed type with
// ErrTypeNotAllowed, and one that would take a customer's stored total
// over MaxCustomerBytes (default 50 MB: what one case can carry) with
// ErrQuotaExceeded. Put is idempotent per (customer, source message id):
// a retried event stores nothing twice.
//
// Media is read by the customer's user id and the media id together (the
// inbox takes both from a case it has checked the agent may see); there is
// no public URL.
//
// # Redis keys
//
// Both keys carry the customer's hash tag {u:<id>} (the same slot as the
// bot's conversation keys), so the put script runs in one Cluster slot.
//
//	<prefix>{u:<id>}:media:<media id>   hash    one file: type, content_type, size, name, at (unix ms), data   TTL Retention (30 days)
//	<prefix>{u:<id>}:media_bytes        string  bytes stored for the customer; refreshed on every put           TTL Retention
//
// The byte counter expires Retention after the last put, so it may count
// files that already expired: it errs on the side of the limit.
package media
