package auditwebhook

import (
	"sync"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
)

// index holds recent writes by object, bounded by count and by age. The
// oldest (first received) go first.
type index struct {
	mu      sync.Mutex
	max     int
	maxAge  time.Duration
	ring    []record // FIFO of at most max records; head is the oldest
	head, n int
	byKey   map[Key][]int // positions in ring, oldest first
	now     func() time.Time
	dropped func(n int) // called with the count of records evicted before their age
}

func newIndex(maxEvents int, maxAge time.Duration, now func() time.Time, dropped func(int)) *index {
	return &index{max: maxEvents, maxAge: maxAge, ring: make([]record, maxEvents), byKey: map[Key][]int{}, now: now, dropped: dropped}
}

// add indexes records, evicting the oldest when full.
func (x *index) add(rs []record) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.expire()
	evicted := 0
	for _, r := range rs {
		if x.n == x.max {
			x.evict()
			evicted++
		}
		pos := (x.head + x.n) % x.max
		x.ring[pos] = r
		x.n++
		x.byKey[r.key] = append(x.byKey[r.key], pos)
	}
	if evicted > 0 {
		x.dropped(evicted)
	}
}

// evict removes the oldest record. Each object's positions are oldest
// first, so the oldest record is the first position of its object.
func (x *index) evict() {
	r := &x.ring[x.head]
	ps := x.byKey[r.key]
	if len(ps) <= 1 {
		delete(x.byKey, r.key)
	} else {
		x.byKey[r.key] = ps[1:]
	}
	*r = record{}
	x.head = (x.head + 1) % x.max
	x.n--
}

// expire removes the records received more than maxAge ago.
func (x *index) expire() {
	limit := x.now().Add(-x.maxAge)
	for x.n > 0 && x.ring[x.head].received.Before(limit) {
		x.evict()
	}
}

// len is the number of records held.
func (x *index) len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n
}

// Query names one change the watcher saw.
type Query struct {
	Key
	// Kind is the object's kind, for attributors that name objects by it
	// (the backup branch's commit lines); the index does not need it.
	Kind string
	// ResourceVersion is the object's resourceVersion after the change;
	// it matches exactly when the audit level gave the response's.
	ResourceVersion string
	// Deleted asks for the deletion of the object rather than a write.
	Deleted bool
	// Seen is when the watcher received the change. The write is the
	// latest one answered before it (give or take Skew).
	Seen time.Time
}

// lookup finds the write that produced q: the one whose resourceVersion
// is q's, else the latest write of the same kind (deletion or not)
// answered no later than skew after q.Seen.
func (x *index) lookup(q Query, skew time.Duration) *committer.Actor {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.expire()
	ps := x.byKey[q.Key]
	var best *record
	for i := len(ps) - 1; i >= 0; i-- {
		r := &x.ring[ps[i]]
		if (r.verb == "delete") != q.Deleted {
			continue
		}
		if q.ResourceVersion != "" && r.rv == q.ResourceVersion {
			best = r
			break
		}
		if r.rv != "" && q.ResourceVersion != "" {
			continue // a known other version: not this change
		}
		if !q.Seen.IsZero() && r.at.After(q.Seen.Add(skew)) {
			continue
		}
		if best == nil || r.at.After(best.at) {
			best = r
		}
	}
	if best == nil {
		return nil
	}
	return best.actor()
}

func (r *record) actor() *committer.Actor {
	return &committer.Actor{
		User:      r.user,
		Groups:    append([]string(nil), r.groups...),
		As:        r.as,
		UserAgent: r.userAgent,
		Verb:      r.verb,
		Time:      r.at.UTC(),
	}
}
