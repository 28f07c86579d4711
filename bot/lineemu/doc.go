// Package lineemu emulates the LINE platform for tests and demo mode: the
// Messaging API paths warmline calls (reply, push, profile, loading,
// mark-as-read, bot info, quota), a webhook sender that signs real LINE wire
// JSON and POSTs it to warmline, and a customer chat page that stands in for
// the LINE app.
//
// It imports no warmline package: it is the outside world. State lives in
// memory and is lost on restart; Reset clears recordings between tests.
//
// Mount Handler under any prefix with http.StripPrefix; every path it serves
// and every URL the chat page uses is relative to that mount point.
package lineemu
