// Package orders owns order lookup for the order-status flow: the Backend
// interface with an HTTP JSON implementation (HTTPBackend) and a file-backed
// one (FileBackend, used by the demo with DemoFS), finding order numbers in
// free text (Extractor), and the ownership checks that decide whether an
// order may be shown to a LINE user (OwnedBy, PhoneLast4Matches).
//
// The package keeps no state in Redis and holds no user-facing strings:
// status names and replies are rendered by the bot from locales. Errors and
// logs carry order numbers only through Mask; phone numbers never leave it.
// The wire contract of the HTTP backend and the file format are described in
// docs/order-backend.md.
package orders
