package bridge

import "mbotdraw/bridge/wire"

// tellPlacesLocked tells each waiting client its new place in the queue.
func (s *Server) tellPlacesLocked() {
	for i, j := range s.queue {
		if j.place != i {
			j.place = i
			if j.owner != nil {
				j.owner.send(wire.Message{Type: wire.TypeQueue, Job: j.n, Place: i}.Encode())
			}
		}
	}
}

func (s *Server) stateLocked() string {
	j := s.headLocked()
	switch {
	case s.closing:
		return wire.StateStopped
	case s.lost:
		return wire.StateLost
	case j == nil:
		return wire.StateIdle
	case j.paused:
		return wire.StatePaused
	case j.done >= len(j.moves):
		return wire.StateWaiting
	}
	return wire.StateDrawing
}

// stateKey is what a state message says.
type stateKey struct {
	state string
	job   uint64
	queue int
}

// stateMsgLocked is the state message for the drawing job's owner (own) or
// for everyone else, who see the robot drawing while that job waits for its
// client's next moves: that flips with every batch, and only its owner
// needs to know.
func (s *Server) stateMsgLocked(own bool) wire.Message {
	m := wire.Message{Type: wire.TypeState, State: s.stateLocked(), Queue: max(0, len(s.queue)-1)}
	if j := s.headLocked(); j != nil {
		m.Job = j.n
	}
	if !own && m.State == wire.StateWaiting {
		m.State = wire.StateDrawing
	}
	return m
}

// broadcastStateLocked sends the robot's state to each client that would
// see it changed (to everyone with force): everyone's view, and the drawing
// job's owner's own. The peers' writers send at most one a progress
// interval, the latest. A change of the queue's length alone waits for the
// ticker (at most a progress interval), so that jobs that come and go
// within one, like those of a client that starts jobs and vanishes, cost
// the other clients no message.
func (s *Server) broadcastStateLocked(force bool) { s.sendStateLocked(force, false) }

// stateDue reports whether state k must be sent in place of last: any
// change at once, but one of the queue's length alone only at a tick.
func stateDue(k, last stateKey, tick bool) bool {
	return k != last && (tick || k.state != last.state || k.job != last.job)
}

// sendStateLocked is broadcastStateLocked; tick is set by the ticker.
func (s *Server) sendStateLocked(force, tick bool) {
	var owner *peer
	if j := s.headLocked(); j != nil {
		owner = j.owner
	}
	all := s.stateMsgLocked(false)
	if k := (stateKey{all.State, all.Job, all.Queue}); force || stateDue(k, s.lastState, tick) {
		s.lastState = k
		s.h.broadcastExcept(slotState, all.Encode(), owner)
	}
	if owner == nil {
		s.lastOwner = nil
		return
	}
	own := s.stateMsgLocked(true)
	if k := (stateKey{own.State, own.Job, own.Queue}); force || owner != s.lastOwner || stateDue(k, s.lastOwn, tick) {
		s.lastOwn, s.lastOwner = k, owner
		owner.setSlot(slotState, outMsg{data: own.Encode()})
	}
}

// progressMsgLocked describes j; final is "" while it runs, else why it left
// the queue.
func (s *Server) progressMsgLocked(j *job, final string) wire.Message {
	total := max(j.total, len(j.moves))
	m := wire.Message{Type: wire.TypeProgress, Job: j.n, Done: j.done, Total: total, Strokes: j.strokes,
		State: s.stateLocked(), Finished: final != ""}
	if final != "" {
		m.State = final
	}
	switch {
	case j.cum != nil && len(j.moves) > 0 && (j.ended || total == len(j.moves)):
		all := j.cum[len(j.moves)]
		m.LeftMS = all - j.cum[j.done]
		if all > 0 {
			m.Percent = 100 * j.cum[j.done] / all
		}
	case total > 0:
		m.Percent = 100 * float64(j.done) / float64(total)
		if j.cum != nil && j.done > 0 {
			// Assume the moves still to come take as long as those so far.
			m.LeftMS = j.cum[j.done] / float64(j.done) * float64(total-j.done)
		}
	}
	if final == "done" {
		m.Percent, m.LeftMS = 100, 0
	}
	return m
}
