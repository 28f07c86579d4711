package line

import (
	"context"
	"net/http"
	"time"
)

// contextWithoutCancelTimeout detaches from the request's cancellation and
// bounds the work by d.
func contextWithoutCancelTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), d)
}
