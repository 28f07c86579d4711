package media

import (
	"bytes"
	"net/http"
	"strings"
)

// allowed is the content types Put keeps, as Sniff names them.
var allowed = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"application/pdf": true,
	"video/mp4":       true, "video/webm": true,
	"audio/mp4": true, "audio/mpeg": true, "audio/wave": true, "audio/aiff": true, "application/ogg": true,
}

// Allowed reports whether files of contentType (as Sniff returns it) are kept.
func Allowed(contentType string) bool { return allowed[contentType] }

// Sniff names the content type of data from its bytes (never from what the
// sender claimed): net/http.DetectContentType without parameters, except
// for ISO base-media files (a "ftyp" box first): the major brand decides,
// so an M4A voice message (brand "M4A ", which also lists mp42 and isom
// among its compatible brands) is audio/mp4, not the video/mp4
// DetectContentType calls every such file, and an MP4 DetectContentType
// does not know is still video/mp4.
func Sniff(data []byte) string {
	if len(data) >= 12 && bytes.Equal(data[4:8], []byte("ftyp")) {
		switch string(data[8:12]) {
		case "M4A ", "M4B ":
			return "audio/mp4"
		}
	}
	ct, _, _ := strings.Cut(http.DetectContentType(data), ";")
	ct = strings.TrimSpace(ct)
	if ct == "application/octet-stream" && len(data) >= 12 && bytes.Equal(data[4:8], []byte("ftyp")) {
		switch string(data[8:12]) {
		case "isom", "iso2", "avc1", "mp41", "mp42", "qt  ", "3gp4", "3gp5":
			return "video/mp4"
		}
	}
	return ct
}

// Inline reports whether a browser may show files of contentType in the
// page (images, video, audio); everything else is served as a download.
func Inline(contentType string) bool {
	return strings.HasPrefix(contentType, "image/") || strings.HasPrefix(contentType, "video/") ||
		strings.HasPrefix(contentType, "audio/")
}
