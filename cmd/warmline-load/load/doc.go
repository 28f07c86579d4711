// Package load is warmline's load generator and what it measures against:
// signed LINE webhooks from many users at a set rate (open loop) or
// concurrency (closed loop), a fake LINE Messaging API that counts the
// answers per event (reply and push, duplicates by reply token and retry
// key, webhook→answer latency), a fake order backend that can hang, and a
// minimal echo bot built from line-bot-sdk-go/v8 alone for a side-by-side
// ratio. cmd/warmline-load is its command line.
//
// Events are attributed exactly: every event gets its own reply token, and a
// push carries X-Line-Retry-Key, which warmline derives from the event's
// webhookEventId (line.RetryKey(id, "reply:0")). An event is answered once
// LINE accepted a reply with its token or a push with its key; a second
// accepted answer is a duplicate. A reused or expired token gets LINE's 400
// "Invalid reply token", a repeated retry key LINE's 409.
package load
