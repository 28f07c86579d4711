// Package lineemu emulates the LINE platform for tests and demo mode: the
// Messaging API paths warmline calls, a webhook sender that signs real LINE
// wire JSON and POSTs it to warmline, and a customer chat page that stands
// in for the LINE app. It imports no warmline package: it is the outside
// world. State lives in memory; Reset clears recordings between tests.
//
// Messaging API (Handler, relative to its mount point; every call needs
// "Authorization: Bearer <AccessToken>", every 2xx has a JSON body and every
// answer an X-Line-Request-Id):
//
//	POST /v2/bot/message/reply          reply token minted by the emulator, single use, ≤ 60 s old
//	POST /v2/bot/message/push           X-Line-Retry-Key (UUID) dedupe for 24 h: repeat → 409 + X-Line-Accepted-Request-Id
//	GET  /v2/bot/profile/{userId}       404 for unknown or blocking users
//	POST /v2/bot/chat/loading/start     202 {}; loadingSeconds 5..60 step 5 (default 20)
//	POST /v2/bot/message/markAsRead     {"chat":{"userId"}}
//	POST /v2/bot/chat/markAsRead        {"markAsReadToken"} from a message event
//	GET  /v2/bot/info, /v2/bot/message/quota, /v2/bot/message/quota/consumption
//	GET  /v2/bot/message/{id}/content   what the user sent (MediaEvent, the page's file input), else a placeholder PNG (the blob API)
//	GET  /v2/bot/message/{id}/content/transcoding   {"status":"succeeded"} for a video or audio the user sent
//
// Every delivered message records how it came (reply with the event whose
// token it used, or push with its retry key) and which call brought it;
// DeliveriesTo counts accepted calls per user, so tests count duplicates.
// Slow holds a path's answers after LINE accepted them (a slow platform);
// FailNext injects errors.
//
// Messages are validated as LINE does (1–5 per call, text 1–5000 runes,
// quick reply items typed "action", ≤ 13 items, labels ≤ 20 runes, flex and
// template altText) and rejected with LINE's 400 error shape.
//
// Customer chat page: GET chat (and its JSON API under api/), with relative
// URLs throughout, so mounting it anywhere works:
//
//	mux.Handle("/emu/", http.StripPrefix("/emu", emu.Handler()))
//	// LINE API base URL for warmline: http://HOST/emu ; chat page: http://HOST/emu/chat
//
// The page's photo button opens a file picker (POST api/upload: an image,
// video, audio or file message by the file's type); the sticker button
// sends a sticker (POST api/sticker, optionally packageId, stickerId and
// keywords).
//
// The page long-polls GET api/messages for up to 25 s, so the server's
// WriteTimeout must be longer than that (or zero).
package lineemu
