package line

import (
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/warmline/warmline/internal/pii"
)

// eventLog is a logger that adds an event's two string fields only when it
// writes an entry: zap's WithLazy still makes a child logger (four
// allocations) for every event, logged or not, and most events log nothing.
// The fields come first, as WithLazy's would.
type eventLog struct {
	l              *zap.Logger
	k1, v1, k2, v2 string
	// maskV1: v1 is a user id, written masked (pii.UserID).
	maskV1 bool
}

func (e *eventLog) write(lvl zapcore.Level, msg string, fs []zap.Field) {
	ce := e.l.Check(lvl, msg)
	if ce == nil {
		return
	}
	v1 := e.v1
	if e.maskV1 {
		v1 = pii.UserID(v1)
	}
	ce.Write(append([]zap.Field{zap.String(e.k1, v1), zap.String(e.k2, e.v2)}, fs...)...)
}

func (e *eventLog) Debug(msg string, fs ...zap.Field) { e.write(zap.DebugLevel, msg, fs) }
func (e *eventLog) Info(msg string, fs ...zap.Field)  { e.write(zap.InfoLevel, msg, fs) }
func (e *eventLog) Warn(msg string, fs ...zap.Field)  { e.write(zap.WarnLevel, msg, fs) }
func (e *eventLog) Error(msg string, fs ...zap.Field) { e.write(zap.ErrorLevel, msg, fs) }
