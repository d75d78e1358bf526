package server

import (
	"sync/atomic"
	"time"
)

// The hub hands each room update to its fan-out workers, one job per
// worker listing that worker's clients of the room; a worker writes the
// update to each of them (client.deliver), never waiting on a socket. A
// client belongs to one worker for its whole life, and a worker takes its
// jobs in order, so a client gets its messages in the order the hub
// handled them. The hub waits for a worker only when that worker has
// fanJobQueue jobs outstanding: the machine is out of CPU, not a client
// slow. A worker that falls behind so skips a room's metrics when newer
// ones are already on their way to the same clients: its clients get the
// newest numbers rather than a growing backlog, as a slow client does.

// fanJobQueue is how many jobs a worker may have outstanding.
const fanJobQueue = 1024

// fanJob is one message for some of one worker's clients.
type fanJob struct {
	m       *outMsg
	clients []*client               // not changed after the job is sent
	newest  *atomic.Pointer[outMsg] // metrics only: the room's newest metrics handed out
}

func (h *Hub) startWorkers() {
	for _, jobs := range h.jobs {
		h.workers.Add(1)
		go func() {
			defer h.workers.Done()
			h.fanoutWorker(jobs)
		}()
	}
}

// stopWorkers ends the workers once they have done their jobs. The hub
// goroutine calls it, after its last job.
func (h *Hub) stopWorkers() {
	for _, jobs := range h.jobs {
		close(jobs)
	}
	h.workers.Wait()
}

func (h *Hub) fanoutWorker(jobs <-chan fanJob) {
	buf := make([]byte, 0, 4<<10)
	for j := range jobs {
		buf = j.run(buf)
	}
}

// run delivers the job's message to its clients; buf is the worker's
// scratch space, returned for reuse.
func (j fanJob) run(buf []byte) []byte {
	if j.newest != nil && j.newest.Load() != j.m {
		return buf // a later job brings newer metrics to these clients (those still in the room)
	}
	for _, c := range j.clients {
		if c.view == viewHost && offCamera(j.m.typ) {
			continue
		}
		buf = c.deliver(j.m, buf)
	}
	return buf
}

// fanout hands m to the workers for every client of r.
func (s *hubState) fanout(r *hubRoom, m *outMsg) {
	if r.changed {
		r.byWorker = s.byWorker(r.clients)
		r.changed = false
	}
	j := fanJob{m: m}
	if m.typ == typeMetrics {
		r.newest.Store(m)
		j.newest = &r.newest
	}
	for w, cs := range r.byWorker {
		if len(cs) > 0 {
			j.clients = cs
			s.h.jobs[w] <- j
		}
	}
}

// byWorker groups clients by their fan-out worker, in new slices.
func (s *hubState) byWorker(clients map[*client]struct{}) [][]*client {
	out := make([][]*client, len(s.h.jobs))
	for c := range clients {
		out[c.worker] = append(out[c.worker], c)
	}
	return out
}

// ping sends a ping to every client whose last one is pingPeriod old.
func (s *hubState) ping(now time.Time) {
	due := map[*client]struct{}{}
	for c := range s.clients {
		if now.After(c.nextPing) {
			c.nextPing = now.Add(pingPeriod)
			due[c] = struct{}{}
		}
	}
	if len(due) == 0 {
		return
	}
	for w, cs := range s.byWorker(due) {
		if len(cs) > 0 {
			s.h.jobs[w] <- fanJob{m: pingMsg, clients: cs}
		}
	}
}
