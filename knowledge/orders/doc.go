// Package orders owns order lookup for the order-status flow: the Backend
// interface with an HTTP JSON implementation (HTTPBackend) and a file-backed
// one (FileBackend, used by the demo with DemoFS), finding order numbers in
// free text (Extractor), and the ownership checks that decide whether an
// order may be shown to a LINE user (OwnedBy, PhoneLast4Matches).
//
// Refund requests the bot settles at L1 are recorded through the optional
// RefundRecorder: HTTPBackend posts them to the shop's order service;
// RefundBook keeps them in Redis for backends that cannot (the file, the
// demo), the package's only Redis state:
//
//	<p>{refunds}:req:<id>   JSON RefundRequest, no TTL
//	<p>{refunds}:pending    zset of ids not marked done, by request time
//
// The package holds no user-facing strings: status names and replies are
// rendered by the bot from locales. Errors and
// logs carry order numbers only through Mask; phone numbers never leave it.
// The wire contract of the HTTP backend and the file format are described in
// docs/order-backend.md.
package orders
