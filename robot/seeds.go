package robot

import "slices"

// Seeding a search with what changed: after a search, a stroke can only
// gain from a move if the tour changed near it (or near the strokes its
// moves would join it to), so the next search begins with those strokes
// rather than every stroke. At 100,000 strokes that makes a follow-up
// search cost what it finds, not a pass over the whole tour.

// marks is a set of strokes that remembers the order they were added in.
type marks struct {
	on   []bool // by stroke
	list []int32
}

func newMarks(n int) marks { return marks{on: make([]bool, n)} }

// add adds stroke k (nothing for k < 0).
func (m *marks) add(k int32) {
	if k >= 0 && !m.on[k] {
		m.on[k] = true
		m.list = append(m.list, k)
	}
}

// reset empties the set.
func (m *marks) reset() {
	for _, k := range m.list {
		m.on[k] = false
	}
	m.list = m.list[:0]
}

// adjacency lists strokes by stroke: those of stroke k are
// to[first[k]:first[k+1]].
type adjacency struct {
	first []int32
	to    []int32
}

// reverseNeighbours returns, for each of the n strokes, the strokes whose
// ends have one of its ends in their neighbour lists nb
// (endpointNeighbours with neighbourCount).
func reverseNeighbours(nb []int32, n int) adjacency {
	a := adjacency{first: make([]int32, n+1)}
	for _, c := range nb {
		if c >= 0 {
			a.first[c>>1+1]++
		}
	}
	for k := 1; k <= n; k++ {
		a.first[k] += a.first[k-1]
	}
	a.to = make([]int32, a.first[n])
	fill := append([]int32(nil), a.first[:n]...)
	for e, c := range nb {
		if c >= 0 {
			a.to[fill[c>>1]] = int32(e / (2 * neighbourCount))
			fill[c>>1]++
		}
	}
	return a
}

// seeds returns the strokes a search should begin with, in tour order:
// every stroke if s.all is set or the drawing has at most maxWindowed
// strokes (whose searches always look at every stroke); else each dirty stroke and each stroke
// whose neighbour lists name a dirty one (a move between the two may gain
// now), with the two strokes before each in the tour (whose runs of up to
// three strokes reach it). It empties s.dirty and clears s.all, and sets
// s.pos from s.order.
func (s *tourSearch) seeds() []int32 {
	for p, k := range s.order {
		s.pos[k] = p
	}
	out := s.queue[:0]
	if s.all || len(s.order) <= maxWindowed {
		for _, k := range s.order {
			out = append(out, int32(k))
		}
	} else if len(s.dirty.list) > 0 {
		for _, d := range s.dirty.list {
			s.pick.add(d)
			for _, k := range s.near.to[s.near.first[d]:s.near.first[d+1]] {
				s.pick.add(k)
			}
		}
		// A stroke is a seed if it or one of the next two is picked.
		on := s.pick.on
		next, after := false, false // the next two strokes are picked
		for p := len(s.order) - 1; p >= 0; p-- {
			k := s.order[p]
			if on[k] || next || after {
				out = append(out, int32(k))
			}
			next, after = on[k], next
		}
		slices.Reverse(out)
		s.pick.reset()
	}
	s.dirty.reset()
	s.all = false
	return out
}

// relabelled calls f with the strokes numbered in the sequence of order
// (stroke order[p] becomes stroke p, so order is 0, 1, 2, …): ends, orig
// and st's seats by stroke, and rev and seat, likewise renumbered. Then it
// puts what f made of them back under the original numbers. Strokes that
// follow each other in the tour then lie together in memory, which is
// what a search over 100,000 strokes spends its time waiting for.
func relabelled(ends, orig []float64, st *seats, order []int, rev []bool, seat []int,
	f func(ends, orig []float64, st *seats, order []int, rev []bool, seat []int)) {
	n := len(order)
	id := append([]int(nil), order...) // the original number of each new one
	ends2, orig2 := make([]float64, 4*n), make([]float64, 4*n)
	order2, rev2, seat2 := make([]int, n), make([]bool, n), make([]int, n)
	var st2 *seats
	if st != nil {
		st2 = &seats{first: make([]int, n+1)}
	}
	for p, k := range id {
		copy(ends2[4*p:4*p+4], ends[4*k:4*k+4])
		copy(orig2[4*p:4*p+4], orig[4*k:4*k+4])
		order2[p], rev2[p], seat2[p] = p, rev[k], seat[k]
		if st != nil {
			st2.first[p] = len(st2.vertex)
			st2.xy = append(st2.xy, st.xy[2*st.first[k]:2*st.first[k+1]]...)
			st2.vertex = append(st2.vertex, st.vertex[st.first[k]:st.first[k+1]]...)
		}
	}
	if st != nil {
		st2.first[n] = len(st2.vertex)
	}
	f(ends2, orig2, st2, order2, rev2, seat2)
	for p, q := range order2 {
		k := id[q]
		order[p] = k
		rev[k], seat[k] = rev2[q], seat2[q]
		copy(ends[4*k:4*k+4], ends2[4*q:4*q+4])
	}
}
