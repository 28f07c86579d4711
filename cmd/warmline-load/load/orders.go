package load

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NewOrderBackend is a fake order backend (docs/order-backend.md): GET
// /orders/WL<n> answers order n, owned by simulated user n-1, in transit.
// With hang it never answers: it holds each request until the client gives
// up, as a stuck backend does.
func NewOrderBackend(hang bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		number, ok := strings.CutPrefix(r.URL.Path, "/orders/")
		n, err := strconv.Atoi(strings.TrimPrefix(number, "WL"))
		if r.Method != http.MethodGet || !ok || err != nil || n < 1 {
			http.NotFound(w, r)
			return
		}
		if hang {
			<-r.Context().Done()
			return
		}
		now := time.Now()
		b, _ := json.Marshal(map[string]any{
			"number": number, "line_user_id": UserID(n - 1), "phone": "0912-345-678",
			"status": "in_transit", "carrier": "黑貓宅急便", "tracking_number": "905123456781",
			"eta": now.Add(48 * time.Hour).Format(time.RFC3339), "placed_at": now.Add(-24 * time.Hour).Format(time.RFC3339),
			"items": []map[string]any{{"name": "北歐風陶瓷馬克杯 350ml（霧白）", "quantity": 2}}, "total": 1280,
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}
