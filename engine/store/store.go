// Package store keeps everything Sluice must not lose: the inbox of received
// events, one queue per destination, dead letters and node state. The
// Badger implementation lives on local disk; the Store interface is the seam
// for a replicated store (NATS JetStream) later.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

// Sentinel errors.
var (
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("store closed")
	// ErrNotFound is returned when a dead letter or queue item is missing.
	ErrNotFound = errors.New("not found")
	// ErrLocked is returned by Open when another process holds the data
	// directory (a runner is running on it).
	ErrLocked = errors.New("data directory in use by another process")
)

// QueueItem is one event waiting in a destination queue.
type QueueItem struct {
	Seq          uint64       `json:"-"`
	Event        *event.Event `json:"event"`
	Attempts     int          `json:"attempts,omitempty"`
	FirstAttempt time.Time    `json:"first_attempt,omitzero"`
	LastError    string       `json:"last_error,omitempty"`
	// Errors keeps the error of every attempt (bounded), for dead letters.
	Errors []Attempt `json:"errors,omitempty"`
}

// Attempt records one failed attempt.
type Attempt struct {
	At     time.Time `json:"at"`
	Error  string    `json:"error"`
	Status int       `json:"status,omitempty"`
}

// DeadLetter is an event that a node gave up on, with why.
type DeadLetter struct {
	Seq      uint64       `json:"seq"`
	Node     string       `json:"node"`
	Event    *event.Event `json:"event"`
	Reason   string       `json:"reason"`
	Attempts []Attempt    `json:"attempts,omitempty"`
	DeadAt   time.Time    `json:"dead_at"`
}

// Enqueue puts an event into a destination queue.
type Enqueue struct {
	Dest  string
	Event *event.Event
}

// Outcome is what processing made of one inbox event: the events it puts
// into destination queues and the dead letters it leaves at transforms.
type Outcome struct {
	InboxID string
	Enqueue []Enqueue
	Dead    []DeadLetter
}

// InboxEntry is an event waiting in the inbox. ID is its inbox id, the
// Outcome's InboxID: the event's id, or for a replayed dead letter the
// event's id and the node. Resume, when set, is the node whose transform
// processing starts at, instead of the source's edges.
type InboxEntry struct {
	ID     string
	Resume string
	Event  *event.Event
}

// Store is what the runtime needs from durable storage.
type Store interface {
	// Ingest writes the items to the inbox and returns after they are
	// synced to disk. Concurrent calls share one sync (group commit).
	// With direct set (a source wired only to destinations) the items skip
	// the inbox and go straight into those destination queues.
	Ingest(ctx context.Context, items []component.Item, direct []string) error
	// Inbox calls fn for each inbox entry in id order, for recovery.
	Inbox(fn func(InboxEntry) error) error
	// Process consumes inbox events and applies their outcomes in one
	// transaction. An outcome whose inbox event is already gone (processed
	// before) is skipped whole, so processing is effectively once.
	Process(outs []Outcome) error

	// QueueRead returns up to limit items of dest's queue after seq.
	QueueRead(dest string, after uint64, limit int) ([]*QueueItem, error)
	// QueueDone removes delivered items (batched, not synced: a crash
	// before the next sync redelivers them, never loses them), keeping
	// them in the destination's history when it has one.
	QueueDone(dest string, items ...*QueueItem) error
	// QueueUpdate records a failed attempt of an item.
	QueueUpdate(dest string, it *QueueItem) error
	// QueueKill moves a queue item to the destination's dead letters.
	QueueKill(dest string, it *QueueItem, reason string) error
	// QueueDepth is the number of items in dest's queue.
	QueueDepth(dest string) int64
	// Queues returns the depth of every queue that holds or held items.
	Queues() map[string]int64

	// DeadLetters lists a node's dead letters after seq.
	DeadLetters(node string, after uint64, limit int) ([]*DeadLetter, error)
	// DeadLetter returns one dead letter by event id.
	DeadLetter(node, eventID string) (*DeadLetter, error)
	// PurgeDead deletes a node's dead letters (all when ids is empty) and
	// returns how many went.
	PurgeDead(node string, ids ...string) (int, error)
	// ReplayDead moves dead letters back into dest's queue and returns
	// their events.
	ReplayDead(node, dest string, ids ...string) ([]*event.Event, error)
	// ReplayDeadInbox moves a transform's dead letters into the inbox,
	// marked to be processed again from that node on, and returns their
	// events.
	ReplayDeadInbox(node string, ids ...string) ([]*event.Event, error)
	// DeadCount is the number of dead letters a node holds.
	DeadCount(node string) int64

	// SetHistory makes dest keep delivered events (keep 0: none).
	SetHistory(dest string, keep time.Duration, maxBytes int64)
	// ReplayHistory puts the events delivered to dest between from and to
	// back at the end of its queue.
	ReplayHistory(dest string, from, to time.Time) ([]*event.Event, error)

	// State returns the durable key-value space of a node.
	State(node string) component.State
	// Notify returns a channel that gets a value when dest's queue grows.
	Notify(dest string) <-chan struct{}
	Close() error
}
