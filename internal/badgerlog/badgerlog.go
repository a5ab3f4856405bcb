// Package badgerlog sends Badger's own logging to slog. Badger logs on hot
// paths at info level; that chatter goes to debug and is formatted only
// when debug logging is on.
package badgerlog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// Logger implements badger.Logger over a slog.Logger.
type Logger struct {
	L      *slog.Logger
	Prefix string // e.g. "badger: "
}

func (b Logger) line(f string, a []any) string {
	return b.Prefix + strings.TrimSpace(fmt.Sprintf(f, a...))
}

// Errorf logs at error level.
func (b Logger) Errorf(f string, a ...any) { b.L.Error(b.line(f, a)) }

// Warningf logs at warn level.
func (b Logger) Warningf(f string, a ...any) { b.L.Warn(b.line(f, a)) }

// Infof logs at debug level.
func (b Logger) Infof(f string, a ...any) { b.debug(f, a) }

// Debugf logs at debug level.
func (b Logger) Debugf(f string, a ...any) { b.debug(f, a) }

func (b Logger) debug(f string, a []any) {
	if b.L.Enabled(context.Background(), slog.LevelDebug) {
		b.L.Debug(b.line(f, a))
	}
}
